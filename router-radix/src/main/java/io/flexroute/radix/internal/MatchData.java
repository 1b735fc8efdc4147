package io.flexroute.radix.internal;

import org.jspecify.annotations.Nullable;

/**
 * The raw result of a lookup: arrays copied out of the tree, owned by the holder.
 *
 * <p>Not thread-safe; handed from the tree to the public result type, which takes ownership of the
 * arrays and never exposes them.
 */
public final class MatchData {

  /** Matched text length in UTF-16 chars. */
  public final int matchedChars;

  /** Token ids of the matched text. */
  public final int[] tokenIds;

  /** Rollout logprobs, one per token. */
  public final float[] logprobs;

  /** Packed loss mask, one bit per token; {@code null} when all zero. */
  public final long @Nullable [] lossMask;

  /** Exclusive token end of each run of equal weight versions, ascending. */
  public final int[] versionRunEnds;

  /** Weight version of each run. */
  public final int[] versionRuns;

  MatchData(
      int matchedChars,
      int[] tokenIds,
      float[] logprobs,
      long @Nullable [] lossMask,
      int[] versionRunEnds,
      int[] versionRuns) {
    this.matchedChars = matchedChars;
    this.tokenIds = tokenIds;
    this.logprobs = logprobs;
    this.lossMask = lossMask;
    this.versionRunEnds = versionRunEnds;
    this.versionRuns = versionRuns;
  }

  /** A result with nothing matched. */
  public static MatchData empty() {
    return new MatchData(0, new int[0], new float[0], null, new int[0], new int[0]);
  }

  /** Number of matched tokens. */
  public int tokenCount() {
    return tokenIds.length;
  }
}
