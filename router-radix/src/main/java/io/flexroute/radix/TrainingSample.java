package io.flexroute.radix;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The training view of a {@link Retrieval} or a {@link RolloutResult}: every token of the
 * conversation, and the loss mask, rollout logprobs and weight versions of its response part, as
 * slime's rollout hands them to the trainer. Instances are immutable and thread-safe; accessors
 * return copies.
 *
 * <h2>Off-policy filtering</h2>
 *
 * The trained tokens are the response tokens with loss mask 1, the tokens a model generated. Each
 * has the weight version that generated it (mapped to an integer by the {@link
 * WeightVersionMapper}), or {@link RadixTokenCache#NO_VERSION} when the worker reported none. After
 * a weight update, a sample whose trained tokens came from older weights is off-policy:
 *
 * <pre>{@code
 * int current = rollouts.weightVersionMapper().toInt("8");
 * if (sample.isOnPolicy(current - 1)) {        // tolerate one step of staleness
 *   batch.add(sample);
 * }
 * }</pre>
 *
 * A trained token without a version counts as off-policy for every minimum, since nothing says
 * which weights produced it.
 *
 * @since 0.1.0
 */
public final class TrainingSample {

  private final int[] tokens;
  private final int promptLength;
  private final int[] lossMask;
  private final float[] rolloutLogprobs;
  private final int[] weightVersions;

  TrainingSample(
      int[] tokens,
      int promptLength,
      int[] lossMask,
      float[] rolloutLogprobs,
      int[] weightVersions) {
    this.tokens = tokens;
    this.promptLength = promptLength;
    this.lossMask = lossMask;
    this.rolloutLogprobs = rolloutLogprobs;
    this.weightVersions = weightVersions;
  }

  /**
   * Returns all token ids, prompt and response.
   *
   * @return a copy of the token ids
   */
  public int[] tokens() {
    return tokens.clone();
  }

  /**
   * Returns the number of prompt tokens at the start of {@link #tokens()}.
   *
   * @return the prompt length
   */
  public int promptLength() {
    return promptLength;
  }

  /**
   * Returns the number of response tokens, {@code tokens().length - promptLength()}.
   *
   * @return the response length
   */
  public int responseLength() {
    return tokens.length - promptLength;
  }

  /**
   * Returns the response token ids.
   *
   * @return a copy of the tokens after the prompt
   */
  public int[] responseTokens() {
    return Arrays.copyOfRange(tokens, promptLength, tokens.length);
  }

  /**
   * Returns the loss mask of the response tokens.
   *
   * @return a copy, {@link #responseLength()} values of 0 or 1
   */
  public int[] lossMask() {
    return lossMask.clone();
  }

  /**
   * Returns the rollout logprobs of the response tokens.
   *
   * @return a copy, {@link #responseLength()} values
   */
  public float[] rolloutLogprobs() {
    return rolloutLogprobs.clone();
  }

  /**
   * Returns the weight version of every response token.
   *
   * @return a copy, {@link #responseLength()} values; {@link RadixTokenCache#NO_VERSION} for tokens
   *     without a version (prompt and tool tokens, or a worker that reported none)
   */
  public int[] responseWeightVersions() {
    return weightVersions.clone();
  }

  /**
   * Returns the number of trained tokens (loss mask 1).
   *
   * @return the count
   */
  public int trainedTokenCount() {
    int n = 0;
    for (int m : lossMask) {
      n += m;
    }
    return n;
  }

  /**
   * Returns the oldest weight version among the trained tokens.
   *
   * @return the version; {@link RadixTokenCache#NO_VERSION} if a trained token has no version or
   *     there is no trained token
   */
  public int oldestTrainedVersion() {
    int oldest = Integer.MAX_VALUE;
    for (int i = 0; i < lossMask.length; i++) {
      if (lossMask[i] == 1) {
        oldest = Math.min(oldest, weightVersions[i]);
      }
    }
    return oldest == Integer.MAX_VALUE ? RadixTokenCache.NO_VERSION : oldest;
  }

  /**
   * Returns the newest weight version among the trained tokens.
   *
   * @return the version, or {@link RadixTokenCache#NO_VERSION} if none has one
   */
  public int newestTrainedVersion() {
    int newest = RadixTokenCache.NO_VERSION;
    for (int i = 0; i < lossMask.length; i++) {
      if (lossMask[i] == 1) {
        newest = Math.max(newest, weightVersions[i]);
      }
    }
    return newest;
  }

  /**
   * Returns how many trained tokens came from weights older than {@code minVersion} (or from
   * unknown weights).
   *
   * @param minVersion the oldest acceptable version, at least 0
   * @return the number of off-policy trained tokens
   * @throws IllegalArgumentException if {@code minVersion} is negative
   */
  public int offPolicyTokenCount(int minVersion) {
    if (minVersion < 0) {
      throw new IllegalArgumentException("minVersion must be >= 0, but was " + minVersion);
    }
    int n = 0;
    for (int i = 0; i < lossMask.length; i++) {
      if (lossMask[i] == 1 && weightVersions[i] < minVersion) {
        n++;
      }
    }
    return n;
  }

  /**
   * Returns whether every trained token came from {@code minVersion} or newer.
   *
   * @param minVersion the oldest acceptable version, at least 0
   * @return true when no trained token is off-policy
   * @throws IllegalArgumentException if {@code minVersion} is negative
   */
  public boolean isOnPolicy(int minVersion) {
    return offPolicyTokenCount(minVersion) == 0;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TrainingSample)) {
      return false;
    }
    TrainingSample s = (TrainingSample) o;
    return promptLength == s.promptLength
        && Arrays.equals(tokens, s.tokens)
        && Arrays.equals(lossMask, s.lossMask)
        && Arrays.equals(rolloutLogprobs, s.rolloutLogprobs)
        && Arrays.equals(weightVersions, s.weightVersions);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(tokens) + promptLength) + Arrays.hashCode(lossMask);
  }

  /** Describes the sample by sizes only. */
  @Override
  public String toString() {
    return "TrainingSample{tokens="
        + tokens.length
        + ", promptLength="
        + promptLength
        + ", responseLength="
        + responseLength()
        + '}';
  }
}
