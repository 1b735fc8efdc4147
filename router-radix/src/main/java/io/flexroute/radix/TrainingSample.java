package io.flexroute.radix;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The training view of a {@link Retrieval}: every token of the conversation, and the loss mask and
 * rollout logprobs of its response part, as slime's rollout hands them to the trainer. Instances
 * are immutable and thread-safe; accessors return copies.
 *
 * @since 0.1.0
 */
public final class TrainingSample {

  private final int[] tokens;
  private final int promptLength;
  private final int[] lossMask;
  private final float[] rolloutLogprobs;

  TrainingSample(int[] tokens, int promptLength, int[] lossMask, float[] rolloutLogprobs) {
    this.tokens = tokens;
    this.promptLength = promptLength;
    this.lossMask = lossMask;
    this.rolloutLogprobs = rolloutLogprobs;
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
        && Arrays.equals(rolloutLogprobs, s.rolloutLogprobs);
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
