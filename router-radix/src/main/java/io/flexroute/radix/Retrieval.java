package io.flexroute.radix;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The result of {@link RadixTokenCache#retrieve(String, io.flexroute.spi.Tokenizer)}: the tokens of
 * a whole text, cached where possible and tokenised for the rest, with their logprobs, loss mask
 * and weight versions. Instances are immutable and thread-safe; accessors return copies.
 *
 * <p>On a hit the first {@link #cachedTokenCount()} tokens come from the cache and the rest from the
 * tokenizer, with logprob 0.0, mask 0 and version {@link RadixTokenCache#NO_VERSION}. On a miss
 * every token comes from the tokenizer with those same defaults.
 *
 * @since 0.1.0
 */
public final class Retrieval {

  private final int[] tokenIds;
  private final float[] logprobs;
  private final int[] lossMask;
  private final int[] weightVersions;
  private final int cachedTokenCount;

  Retrieval(
      int[] tokenIds, float[] logprobs, int[] lossMask, int[] weightVersions, int cachedTokenCount) {
    this.tokenIds = tokenIds;
    this.logprobs = logprobs;
    this.lossMask = lossMask;
    this.weightVersions = weightVersions;
    this.cachedTokenCount = cachedTokenCount;
  }

  /**
   * Returns whether any token came from the cache.
   *
   * @return {@code true} for a hit
   */
  public boolean isHit() {
    return cachedTokenCount > 0;
  }

  /**
   * Returns how many leading tokens came from the cache.
   *
   * @return the cached token count
   */
  public int cachedTokenCount() {
    return cachedTokenCount;
  }

  /**
   * Returns the total number of tokens.
   *
   * @return the token count
   */
  public int length() {
    return tokenIds.length;
  }

  /**
   * Returns all token ids of the text.
   *
   * @return a copy of the token ids
   */
  public int[] tokenIds() {
    return tokenIds.clone();
  }

  /**
   * Returns the rollout logprob of every token.
   *
   * @return a copy of the logprobs
   */
  public float[] logprobs() {
    return logprobs.clone();
  }

  /**
   * Returns the loss mask of every token.
   *
   * @return a copy of the mask
   */
  public int[] lossMask() {
    return lossMask.clone();
  }

  /**
   * Returns the weight version of every token.
   *
   * @return a copy of the versions
   */
  public int[] weightVersions() {
    return weightVersions.clone();
  }

  /**
   * Splits this retrieval into prompt and response for training: all tokens, plus the loss mask,
   * rollout logprobs and weight versions of the tokens after the first {@code promptTokenCount}.
   *
   * @param promptTokenCount the number of prompt tokens at the start
   * @return the training sample
   * @throws IllegalArgumentException if {@code promptTokenCount} is negative or above {@link
   *     #length()}
   */
  public TrainingSample trainingSample(int promptTokenCount) {
    if (promptTokenCount < 0 || promptTokenCount > tokenIds.length) {
      throw new IllegalArgumentException(
          "promptTokenCount must be in [0, "
              + tokenIds.length
              + "], but was "
              + promptTokenCount);
    }
    return new TrainingSample(
        tokenIds.clone(),
        promptTokenCount,
        Arrays.copyOfRange(lossMask, promptTokenCount, tokenIds.length),
        Arrays.copyOfRange(logprobs, promptTokenCount, tokenIds.length),
        Arrays.copyOfRange(weightVersions, promptTokenCount, tokenIds.length));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Retrieval)) {
      return false;
    }
    Retrieval r = (Retrieval) o;
    return cachedTokenCount == r.cachedTokenCount
        && Arrays.equals(tokenIds, r.tokenIds)
        && Arrays.equals(logprobs, r.logprobs)
        && Arrays.equals(lossMask, r.lossMask)
        && Arrays.equals(weightVersions, r.weightVersions);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokenIds) + cachedTokenCount;
  }

  /** Describes the retrieval by sizes only. */
  @Override
  public String toString() {
    return "Retrieval{tokens=" + tokenIds.length + ", cachedTokens=" + cachedTokenCount + '}';
  }
}
