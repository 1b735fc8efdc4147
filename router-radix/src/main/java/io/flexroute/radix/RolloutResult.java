package io.flexroute.radix;

import io.flexroute.FinishReason;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one rollout turn ({@link RolloutClient#rollout(RolloutRequest)}): every token of the
 * conversation so far plus the generated answer, with the logprob, loss mask and weight version of
 * each, ready for training.
 *
 * <p>Instances are immutable and thread-safe; array accessors return copies.
 *
 * <h2>Tokens</h2>
 *
 * The first {@link #promptTokenCount()} tokens are the prompt: {@link #cachedTokenCount()} of them
 * came from the cache (the exact tokens of earlier turns, with their logprobs, masks and versions)
 * and {@link #tokenizedTokenCount()} were tokenised now from the uncached rest of the text (tool
 * results, new messages: logprob 0.0, mask 0, version {@link RadixTokenCache#NO_VERSION}). The
 * last {@link #outputTokenCount()} tokens are the worker's output: its logprobs, mask 1, and the
 * turn's {@link #weightVersion()}, or, when the worker reported weight version spans (a generation
 * that ran across a weight update), the version of each token's span ({@link
 * RadixTokenCache#NO_VERSION} for a token no span covers).
 *
 * <h2>Text</h2>
 *
 * {@link #fullText()} is {@link #promptText()} followed by {@link #outputText()}, the tokenizer's
 * decoding of the output tokens with special tokens kept; it is what the cache now holds, so the
 * next turn's text should start with it. {@link #workerText()} is the worker's own text (which
 * usually skips special tokens), for display.
 *
 * @since 0.1.0
 */
public final class RolloutResult {

  private final String promptText;
  private final String outputText;
  private final @Nullable String workerText;
  private final int[] tokenIds;
  private final float[] logprobs;
  private final int[] lossMask;
  private final int[] weightVersions;
  private final int promptTokenCount;
  private final int cachedTokenCount;
  private final int weightVersion;
  private final @Nullable String workerWeightVersion;
  private final String workerId;
  private final String requestId;
  private final FinishReason finishReason;
  private final int attempts;
  private final boolean tokenBoundariesKnown;

  // Takes ownership of the arrays: the client builds them for this result only.
  RolloutResult(
      String promptText,
      String outputText,
      @Nullable String workerText,
      int[] tokenIds,
      float[] logprobs,
      int[] lossMask,
      int[] weightVersions,
      int promptTokenCount,
      int cachedTokenCount,
      int weightVersion,
      @Nullable String workerWeightVersion,
      String workerId,
      String requestId,
      FinishReason finishReason,
      int attempts,
      boolean tokenBoundariesKnown) {
    this.promptText = promptText;
    this.outputText = outputText;
    this.workerText = workerText;
    this.tokenIds = tokenIds;
    this.logprobs = logprobs;
    this.lossMask = lossMask;
    this.weightVersions = weightVersions;
    this.promptTokenCount = promptTokenCount;
    this.cachedTokenCount = cachedTokenCount;
    this.weightVersion = weightVersion;
    this.workerWeightVersion = workerWeightVersion;
    this.workerId = workerId;
    this.requestId = requestId;
    this.finishReason = finishReason;
    this.attempts = attempts;
    this.tokenBoundariesKnown = tokenBoundariesKnown;
  }

  /**
   * Returns the conversation text the turn was asked for.
   *
   * @return the prompt text
   */
  public String promptText() {
    return promptText;
  }

  /**
   * Returns the decoded output, special tokens included.
   *
   * @return the output text, possibly empty
   */
  public String outputText() {
    return outputText;
  }

  /**
   * Returns the prompt text followed by the output text: the text the cache now holds, which the
   * next turn's text should start with.
   *
   * @return the full text
   */
  public String fullText() {
    return promptText + outputText;
  }

  /**
   * Returns the worker's own decoded text, which may skip special tokens.
   *
   * @return the worker's text, or null when it sent none
   */
  public @Nullable String workerText() {
    return workerText;
  }

  /**
   * Returns every token id: prompt, then output.
   *
   * @return a copy of the ids
   */
  public int[] tokenIds() {
    return tokenIds.clone();
  }

  /**
   * Returns the rollout logprob of every token: cached values for cached tokens, 0.0 for tokens
   * tokenised now, the worker's for output tokens (NaN where it sent none).
   *
   * @return a copy of the logprobs
   */
  public float[] logprobs() {
    return logprobs.clone();
  }

  /**
   * Returns the loss mask of every token: 1 for tokens a policy generated (this turn's output, and
   * cached outputs of earlier turns), 0 for prompt and tool tokens.
   *
   * @return a copy of the mask
   */
  public int[] lossMask() {
    return lossMask.clone();
  }

  /**
   * Returns the weight version of every token, {@link RadixTokenCache#NO_VERSION} for tokens no
   * policy generated.
   *
   * @return a copy of the versions
   */
  public int[] weightVersions() {
    return weightVersions.clone();
  }

  /**
   * Returns the output token ids.
   *
   * @return a copy of the last {@link #outputTokenCount()} ids
   */
  public int[] outputTokenIds() {
    return Arrays.copyOfRange(tokenIds, promptTokenCount, tokenIds.length);
  }

  /**
   * Returns the output tokens' logprobs.
   *
   * @return a copy of the last {@link #outputTokenCount()} logprobs
   */
  public float[] outputLogprobs() {
    return Arrays.copyOfRange(logprobs, promptTokenCount, tokenIds.length);
  }

  /**
   * Returns the total number of tokens, prompt and output.
   *
   * @return the length
   */
  public int length() {
    return tokenIds.length;
  }

  /**
   * Returns the number of prompt tokens sent to the worker.
   *
   * @return the prompt token count
   */
  public int promptTokenCount() {
    return promptTokenCount;
  }

  /**
   * Returns how many prompt tokens came from the cache.
   *
   * @return the cached token count
   */
  public int cachedTokenCount() {
    return cachedTokenCount;
  }

  /**
   * Returns how many prompt tokens were tokenised for this turn (the uncached rest of the text).
   *
   * @return the tokenised token count
   */
  public int tokenizedTokenCount() {
    return promptTokenCount - cachedTokenCount;
  }

  /**
   * Returns the number of output tokens.
   *
   * @return the output token count
   */
  public int outputTokenCount() {
    return tokenIds.length - promptTokenCount;
  }

  /**
   * Returns the weight version of this turn's output, mapped by the client's {@link
   * WeightVersionMapper}; {@link RadixTokenCache#NO_VERSION} when the worker reported none.
   *
   * @return the version
   */
  public int weightVersion() {
    return weightVersion;
  }

  /**
   * Returns the weight version string the worker reported.
   *
   * @return the version, or null
   */
  public @Nullable String workerWeightVersion() {
    return workerWeightVersion;
  }

  /**
   * Returns the id of the worker that generated the output.
   *
   * @return the worker id
   */
  public String workerId() {
    return workerId;
  }

  /**
   * Returns the request id of the successful attempt.
   *
   * @return the request id
   */
  public String requestId() {
    return requestId;
  }

  /**
   * Returns why the worker stopped generating (never an abort: aborted attempts are retried).
   *
   * @return the finish reason
   */
  public FinishReason finishReason() {
    return finishReason;
  }

  /**
   * Returns how many generation attempts the turn took: 1, plus one per attempt the worker
   * aborted.
   *
   * @return the attempts, at least 1
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Returns whether the turn was cached with token boundaries (so the cache can share it at token
   * granularity); false when the tokenizer's pieces did not spell the text, and also when the turn
   * (or part of its output) was not cached at all because the prefix it extends was no longer
   * cached.
   *
   * @return whether the boundaries are known
   */
  public boolean tokenBoundariesKnown() {
    return tokenBoundariesKnown;
  }

  /**
   * Splits the tokens into prompt and response for training: all tokens, plus the loss mask,
   * rollout logprobs and weight versions of the tokens after the first {@code promptTokenCount}
   * (see {@link TrainingSample#isOnPolicy(int)} for filtering off-policy samples; for a multi-turn
   * trajectory, usually the tokens of the first prompt, so that every later turn, tool results
   * included with mask 0, is response).
   *
   * @param promptTokenCount the number of prompt tokens at the start
   * @return the training sample
   * @throws IllegalArgumentException if {@code promptTokenCount} is negative or above {@link
   *     #length()}
   */
  public TrainingSample trainingSample(int promptTokenCount) {
    if (promptTokenCount < 0 || promptTokenCount > tokenIds.length) {
      throw new IllegalArgumentException(
          "promptTokenCount must be in [0, " + tokenIds.length + "], but was "
              + promptTokenCount);
    }
    return new TrainingSample(
        tokenIds.clone(),
        promptTokenCount,
        Arrays.copyOfRange(lossMask, promptTokenCount, tokenIds.length),
        Arrays.copyOfRange(logprobs, promptTokenCount, tokenIds.length),
        Arrays.copyOfRange(weightVersions, promptTokenCount, tokenIds.length));
  }

  /** Describes the result by sizes only; never the text. */
  @Override
  public String toString() {
    return "RolloutResult{tokens=" + tokenIds.length + ", prompt=" + promptTokenCount
        + ", cached=" + cachedTokenCount + ", output=" + outputTokenCount() + ", weightVersion="
        + weightVersion + ", worker=" + workerId + ", attempts=" + attempts + "}";
  }
}
