package io.flexroute;

/**
 * Token counts a worker reported for one request.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param promptTokens the number of prompt tokens
 * @param completionTokens the number of generated tokens
 * @param cachedTokens how many of the prompt tokens the worker served from its prefix cache (a subset
 *     of {@code promptTokens}, never added to it); 0 when the worker does not report it
 */
public record TokenUsage(int promptTokens, int completionTokens, int cachedTokens) {

  /** Usage with every count zero. */
  public static final TokenUsage ZERO = new TokenUsage(0, 0, 0);

  /**
   * Validates the counts.
   *
   * @param promptTokens the number of prompt tokens
   * @param completionTokens the number of generated tokens
   * @param cachedTokens how many of the prompt tokens the worker served from its prefix cache (a
   *     subset of {@code promptTokens}, never added to it); 0 when the worker does not report it
   * @throws IllegalArgumentException if a count is negative
   */
  public TokenUsage {
    if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0) {
      throw new IllegalArgumentException(
          "token counts must be >= 0, but were prompt=" + promptTokens + ", completion="
              + completionTokens + ", cached=" + cachedTokens);
    }
  }

  /**
   * The sum of prompt and completion tokens.
   *
   * @return the total token count
   */
  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
