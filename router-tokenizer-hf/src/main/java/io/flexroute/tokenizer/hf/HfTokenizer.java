package io.flexroute.tokenizer.hf;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.flexroute.spi.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Tokenizer} for a Hugging Face {@code tokenizer.json} (the format of the Rust {@code
 * tokenizers} library and of {@code transformers}' fast tokenizers), such as the one shipped with a
 * Qwen, Llama or DeepSeek checkpoint.
 *
 * <pre>{@code
 * try (HfTokenizer tokenizer = HfTokenizer.fromFile(Path.of("/models/qwen3/tokenizer.json"))) {
 *   int[] ids = tokenizer.encode("<|im_start|>user\nHello<|im_end|>\n");
 *   String text = tokenizer.decode(ids);   // the same text back, special tokens included
 * }
 * }</pre>
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li>{@link #encode(String)} adds no special tokens (no BOS/EOS from the post-processor), never
 *       truncates and never pads, whatever the file configures; special tokens written in the text
 *       (such as {@code <|im_start|>}) become their single ids.
 *   <li>{@link #decode(int[])} keeps special tokens, so {@code decode(encode(text))} gives back the
 *       text for byte-level tokenizers without a normalizer, and token ids and text keep describing
 *       each other on the rollout path. {@link #decodeEach(int[])} decodes every token on its own in
 *       one native call; a token that holds only part of a character decodes to U+FFFD.
 *   <li>Ids are the file's ids; an id above {@link Integer#MAX_VALUE} cannot occur in practice.
 * </ul>
 *
 * <h2>Native library</h2>
 *
 * The work is done by DJL's {@code ai.djl.huggingface:tokenizers} (0.36.0, tokenizers 0.21.0),
 * whose jar carries the native library for Linux x86_64 and aarch64, macOS aarch64 and Windows
 * x86_64. On first use DJL copies it out of the jar into {@code ~/.djl.ai/tokenizers/} (set the
 * {@code DJL_CACHE_DIR} or {@code ENGINE_CACHE_DIR} system property or environment variable to
 * choose another directory); no network is needed. On other platforms (such as macOS x86_64) DJL
 * would download the library at run time; there, build it yourself and point {@code
 * RUST_LIBRARY_PATH} at it. One encode of a chat line costs tens of microseconds through JNI.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * Thread-safe: the native tokenizer is immutable and calls run concurrently. The tokenizer holds
 * native memory until {@link #close()}, which waits for running calls; calls after it fail with
 * {@link IllegalStateException}.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {

  private static final Map<String, String> OPTIONS =
      Map.of(
          "addSpecialTokens", "false",
          "truncation", "false",
          "padding", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final String name;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, String name) {
    this.tokenizer = tokenizer;
    this.name = name;
  }

  /**
   * Loads a {@code tokenizer.json} file, named {@code "hf:"} plus the name of its directory (such
   * as {@code "hf:qwen3"}).
   *
   * @param tokenizerJson the path of the {@code tokenizer.json} file
   * @return the tokenizer; close it when done
   * @throws IllegalArgumentException if the file does not exist, cannot be read or is not a valid
   *     tokenizer file
   */
  public static HfTokenizer fromFile(Path tokenizerJson) {
    return fromFile(tokenizerJson, defaultName(tokenizerJson));
  }

  /**
   * Loads a {@code tokenizer.json} file under the given name.
   *
   * @param tokenizerJson the path of the {@code tokenizer.json} file
   * @param name the {@linkplain Tokenizer#name() name} for logs and metrics, not blank
   * @return the tokenizer; close it when done
   * @throws IllegalArgumentException if the name is blank, or the file does not exist, cannot be
   *     read or is not a valid tokenizer file
   */
  public static HfTokenizer fromFile(Path tokenizerJson, String name) {
    Objects.requireNonNull(tokenizerJson, "tokenizerJson");
    checkName(name);
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new IllegalArgumentException(
          "tokenizerJson must be a tokenizer.json file, but " + tokenizerJson + " is not a file");
    }
    try {
      return new HfTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS), name);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "could not load the tokenizer file " + tokenizerJson + ": " + describe(e), e);
    }
  }

  /**
   * Loads the content of a {@code tokenizer.json} from a stream, such as a class path resource. The
   * stream is read to its end and left open.
   *
   * @param tokenizerJson the stream of the file's content
   * @param name the {@linkplain Tokenizer#name() name} for logs and metrics, not blank
   * @return the tokenizer; close it when done
   * @throws IllegalArgumentException if the name is blank, or the stream cannot be read or is not a
   *     valid tokenizer file
   */
  public static HfTokenizer fromStream(InputStream tokenizerJson, String name) {
    Objects.requireNonNull(tokenizerJson, "tokenizerJson");
    checkName(name);
    try {
      return new HfTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS), name);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "could not load tokenizer '" + name + "': " + describe(e), e);
    }
  }

  /**
   * Encodes text without special tokens, truncation or padding.
   *
   * @throws IllegalArgumentException if the text has an unpaired surrogate (the native library
   *     would replace the whole text, silently, and the ids would not match the worker's), or the
   *     tokenizer cannot encode it (a vocabulary without an unknown token, say)
   * @throws IllegalStateException if the tokenizer is closed
   */
  @Override
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      return new int[0];
    }
    checkSurrogates(text);
    long[] ids;
    lock.readLock().lock();
    try {
      checkOpen();
      ids = tokenizer.encode(text, false, false).getIds();
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      // The native library reports its errors as plain RuntimeExceptions.
      throw new IllegalArgumentException(
          "tokenizer " + name + " could not encode a text of " + text.length() + " characters: "
              + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /**
   * Decodes ids, keeping special tokens.
   *
   * @throws IllegalArgumentException if an id is negative
   * @throws IllegalStateException if the tokenizer is closed
   */
  @Override
  public String decode(int[] tokenIds) {
    Objects.requireNonNull(tokenIds, "tokenIds");
    if (tokenIds.length == 0) {
      return "";
    }
    long[] ids = toLongs(tokenIds);
    lock.readLock().lock();
    try {
      checkOpen();
      return tokenizer.decode(ids, false);
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "tokenizer " + name + " could not decode " + ids.length + " ids: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Refuses a lone surrogate, which the native library's string conversion would garble. */
  private static void checkSurrogates(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "text has an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT)
                + ") at index " + i + ": cut inside a character?");
      }
    }
  }

  /**
   * Decodes every token on its own, keeping special tokens, in one native call.
   *
   * @throws IllegalArgumentException if an id is negative
   * @throws IllegalStateException if the tokenizer is closed
   */
  @Override
  public List<String> decodeEach(int[] tokenIds) {
    Objects.requireNonNull(tokenIds, "tokenIds");
    if (tokenIds.length == 0) {
      return List.of();
    }
    long[] ids = toLongs(tokenIds);
    long[][] singles = new long[ids.length][];
    for (int i = 0; i < ids.length; i++) {
      singles[i] = new long[] {ids[i]};
    }
    String[] pieces;
    lock.readLock().lock();
    try {
      checkOpen();
      pieces = tokenizer.batchDecode(singles, false);
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "tokenizer " + name + " could not decode " + ids.length + " ids: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
    return List.of(pieces);
  }

  /**
   * Returns the tokenizer's name, by default {@code "hf:"} plus the directory name.
   *
   * @return the name
   */
  @Override
  public String name() {
    return name;
  }

  /**
   * Releases the native tokenizer once running calls have returned. Idempotent.
   */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        tokenizer.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "HfTokenizer{" + name + "}";
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("tokenizer '" + name + "' is closed");
    }
  }

  private static long[] toLongs(int[] ids) {
    long[] out = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0) {
        throw new IllegalArgumentException(
            "token ids must be >= 0, but id " + i + " was " + ids[i]);
      }
      out[i] = ids[i];
    }
    return out;
  }

  private static String defaultName(Path tokenizerJson) {
    Path dir = tokenizerJson.toAbsolutePath().getParent();
    @Nullable Path dirName = dir == null ? null : dir.getFileName();
    return "hf:" + (dirName == null ? "tokenizer" : dirName.toString());
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
