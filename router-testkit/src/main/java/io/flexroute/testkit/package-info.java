/**
 * Test support for FlexRoute: deterministic fakes that let tests, demos and benchmarks run without
 * a real inference server. The fake HTTP worker lives in {@link io.flexroute.testkit.worker}; the
 * {@link io.flexroute.testkit.ToyTokenizer} here is shared by the worker and by tests that need to
 * predict its token ids.
 */
@NullMarked
package io.flexroute.testkit;

import org.jspecify.annotations.NullMarked;
