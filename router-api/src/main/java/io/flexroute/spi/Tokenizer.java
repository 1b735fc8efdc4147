package io.flexroute.spi;

/**
 * Turns text into token ids and back, for the token-in/token-out paths (rollouts, token-level cache
 * routing).
 *
 * <p>Implementations must be thread-safe: the router calls them concurrently from request threads.
 * They must be deterministic (the same text always gives the same ids) because cached token ids are
 * compared across calls. A tokenizer failure is reported by throwing
 * {@link IllegalArgumentException} for text it cannot encode, or {@link io.flexroute.RouterException}
 * for a remote failure; it never returns {@code null}.
 */
public interface Tokenizer {

  /**
   * Encodes text into token ids without adding special tokens (no BOS/EOS), so that
   * {@code encode(a + b)} can be compared with the ids of a cached prefix {@code a}.
   *
   * @param text the text to encode, possibly empty
   * @return a new array of token ids; empty for empty text
   */
  int[] encode(String text);

  /**
   * Decodes token ids back into text.
   *
   * @param tokenIds the ids to decode
   * @return the decoded text
   */
  String decode(int[] tokenIds);

  /**
   * A short name for logs and metrics tags, such as {@code "hf:qwen3"} or {@code "worker-tokenize"}.
   *
   * @return the tokenizer's name
   */
  default String name() {
    return getClass().getSimpleName();
  }
}
