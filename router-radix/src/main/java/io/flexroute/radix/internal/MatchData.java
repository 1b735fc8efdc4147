package io.flexroute.radix.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The raw result of a lookup: references to the payload arrays of the matched path, captured under
 * the tree's read lock, and the copy-out routines that read them.
 *
 * <p>Immutable and thread-safe. The tree never writes into a payload array once a node holds it (a
 * split or a slice makes new arrays), so the captured arrays never change, even after the nodes
 * that held them are split, evicted or collected by GC; they stay reachable for as long as this
 * object is.
 *
 * <p>Segment {@code s} is the first {@code segmentEnd(s) - segmentEnd(s - 1)} entries of the
 * arrays of the {@code s}-th node on the path (only the last node may be used in part).
 */
public final class MatchData {

  private static final MatchData EMPTY = new MatchData(0, 0, new Object[0], new int[0]);

  private final int matchedChars;
  private final int tokenCount;

  /** For segment {@code s}: ids at {@code 3s}, logprobs at {@code 3s + 1}, mask at {@code 3s + 2}. */
  private final @Nullable Object[] arrays;

  /** For segment {@code s}: exclusive token end at {@code 2s}, weight version at {@code 2s + 1}. */
  private final int[] meta;

  MatchData(int matchedChars, int tokenCount, @Nullable Object[] arrays, int[] meta) {
    this.matchedChars = matchedChars;
    this.tokenCount = tokenCount;
    this.arrays = arrays;
    this.meta = meta;
  }

  /**
   * A result with nothing matched.
   *
   * @return the shared empty result
   */
  public static MatchData empty() {
    return EMPTY;
  }

  /**
   * Returns the matched text length in UTF-16 chars.
   *
   * @return the matched length
   */
  public int matchedChars() {
    return matchedChars;
  }

  /**
   * Returns the number of matched tokens.
   *
   * @return the token count
   */
  public int tokenCount() {
    return tokenCount;
  }

  private int segments() {
    return meta.length >>> 1;
  }

  private int segmentStart(int s) {
    return s == 0 ? 0 : meta[2 * s - 2];
  }

  private int segmentEnd(int s) {
    return meta[2 * s];
  }

  private int[] ids(int s) {
    return (int[]) castNonNull(arrays[3 * s]);
  }

  private float[] logprobs(int s) {
    return (float[]) castNonNull(arrays[3 * s + 1]);
  }

  private long @Nullable [] mask(int s) {
    return (long[]) arrays[3 * s + 2];
  }

  private static Object castNonNull(@Nullable Object o) {
    if (o == null) {
      throw new IllegalStateException("missing payload array");
    }
    return o;
  }

  /** Index of the segment holding token {@code index}, assumed in range. */
  private int segmentOf(int index) {
    int s = 0;
    while (meta[2 * s] <= index) {
      s++;
    }
    return s;
  }

  /**
   * Copies the token ids to {@code dest} from {@code destPos}; bounds are checked by the caller.
   *
   * @param dest the destination
   * @param destPos where the first token goes
   */
  public void copyTokenIds(int[] dest, int destPos) {
    int start = 0;
    for (int s = 0, n = segments(); s < n; s++) {
      int end = segmentEnd(s);
      System.arraycopy(ids(s), 0, dest, destPos + start, end - start);
      start = end;
    }
  }

  /**
   * Copies the logprobs to {@code dest} from {@code destPos}; bounds are checked by the caller.
   *
   * @param dest the destination
   * @param destPos where the first token's logprob goes
   */
  public void copyLogprobs(float[] dest, int destPos) {
    int start = 0;
    for (int s = 0, n = segments(); s < n; s++) {
      int end = segmentEnd(s);
      System.arraycopy(logprobs(s), 0, dest, destPos + start, end - start);
      start = end;
    }
  }

  /**
   * Writes the loss mask as 0/1 values to {@code dest} from {@code destPos}; bounds are checked by
   * the caller.
   *
   * @param dest the destination
   * @param destPos where the first token's value goes
   */
  public void copyLossMask(int[] dest, int destPos) {
    int start = 0;
    for (int s = 0, n = segments(); s < n; s++) {
      int end = segmentEnd(s);
      Bits.unpack(mask(s), end - start, dest, destPos + start);
      start = end;
    }
  }

  /**
   * Writes the weight version of every token to {@code dest} from {@code destPos}; bounds are
   * checked by the caller.
   *
   * @param dest the destination
   * @param destPos where the first token's version goes
   */
  public void copyWeightVersions(int[] dest, int destPos) {
    int start = 0;
    for (int s = 0, n = segments(); s < n; s++) {
      int end = segmentEnd(s);
      Arrays.fill(dest, destPos + start, destPos + end, meta[2 * s + 1]);
      start = end;
    }
  }

  /**
   * Returns one token id; {@code index} is assumed in range.
   *
   * @param index the token index
   * @return the id
   */
  public int tokenId(int index) {
    int s = segmentOf(index);
    return ids(s)[index - segmentStart(s)];
  }

  /**
   * Returns one token's logprob; {@code index} is assumed in range.
   *
   * @param index the token index
   * @return the logprob
   */
  public float logprob(int index) {
    int s = segmentOf(index);
    return logprobs(s)[index - segmentStart(s)];
  }

  /**
   * Returns one token's loss-mask bit; {@code index} is assumed in range.
   *
   * @param index the token index
   * @return the bit
   */
  public boolean lossMask(int index) {
    int s = segmentOf(index);
    return Bits.get(mask(s), index - segmentStart(s));
  }

  /**
   * Returns one token's weight version; {@code index} is assumed in range.
   *
   * @param index the token index
   * @return the version
   */
  public int weightVersion(int index) {
    return meta[2 * segmentOf(index) + 1];
  }
}
