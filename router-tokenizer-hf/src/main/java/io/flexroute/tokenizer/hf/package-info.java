/**
 * A {@link io.flexroute.spi.Tokenizer} for Hugging Face {@code tokenizer.json} files: {@link
 * io.flexroute.tokenizer.hf.HfTokenizer}. It runs the Rust {@code tokenizers} library in process
 * through DJL, whose jar carries the native library, so it needs no network and no Python.
 */
@NullMarked
package io.flexroute.tokenizer.hf;

import org.jspecify.annotations.NullMarked;
