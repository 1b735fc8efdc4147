package io.flexroute.testkit.sim.internal;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One request inside a simulated engine: its token sequence (prompt, then the output the engine
 * will generate), its KV blocks and its progress.
 *
 * <p>Positions {@code [0, computed)} have their KV entries computed. A fresh request prefills up to
 * the prompt's end, which yields its first output token; each decode step then computes the KV of
 * the last generated token and yields the next. A preempted request loses its blocks and, when
 * admitted again, prefills everything up to its last generated token before decoding on.
 *
 * <p>Not thread-safe; owned by one engine.
 */
public final class EngineRequest {

  final int[] sequence;
  final int promptLength;
  final int outputLength;
  private final @Nullable Object attachment;

  final List<Block> blocks = new ArrayList<>();
  int computed;
  int generated;
  int target;
  int hashedBlocks;
  long chainHash = TokenHash.SEED;
  int scheduledTokens;
  boolean admittedOnce;
  int cachedTokens = -1;
  long submittedNanos = -1;
  long firstTokenNanos = -1;
  long finishedNanos = -1;
  int preemptions;

  /**
   * Creates a request.
   *
   * @param sequence the prompt followed by the output tokens the engine is to generate
   * @param promptLength the prompt's length, at least 1
   * @param attachment what the caller wants back in its callbacks, or null
   * @throws IllegalArgumentException if the prompt or the output is empty
   */
  public EngineRequest(int[] sequence, int promptLength, @Nullable Object attachment) {
    if (promptLength < 1 || promptLength >= sequence.length) {
      throw new IllegalArgumentException(
          "need 1 <= promptLength < sequence length, but promptLength="
              + promptLength
              + ", length="
              + sequence.length);
    }
    this.sequence = sequence;
    this.promptLength = promptLength;
    this.outputLength = sequence.length - promptLength;
    this.attachment = attachment;
  }

  /** @return what the caller attached */
  public @Nullable Object attachment() {
    return attachment;
  }

  /** @return the prompt's length */
  public int promptLength() {
    return promptLength;
  }

  /** @return the number of tokens to generate */
  public int outputLength() {
    return outputLength;
  }

  /** @return the prompt tokens found in the prefix cache when first admitted, or -1 before */
  public int cachedTokens() {
    return cachedTokens;
  }

  /** @return how many times the request was preempted */
  public int preemptions() {
    return preemptions;
  }

  /** @return when the request reached the engine, or -1 */
  public long submittedNanos() {
    return submittedNanos;
  }

  /** @return when the first output token was produced, or -1 */
  public long firstTokenNanos() {
    return firstTokenNanos;
  }

  /** @return when the last output token was produced, or -1 */
  public long finishedNanos() {
    return finishedNanos;
  }

  /** @return the tokens still to prefill before decoding (0 while decoding) */
  int prefillRemaining() {
    return target - computed;
  }

  boolean prefilling() {
    return computed < target;
  }
}
