package io.flexroute.radix;

import io.flexroute.radix.internal.MatchData;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of {@link RadixTokenCache#lookup(String)}: the longest cached prefix of a text that
 * ends on a token boundary, with the payload of its tokens. Instances are immutable and
 * thread-safe.
 *
 * <p>The cache never writes into a payload array once it holds it (splitting a node or slicing
 * makes new arrays), so a lookup does not copy the payload: it keeps references to the arrays of
 * the matched path, taken while it held the read lock, and the accessors copy from them. Later
 * inserts, GC, eviction or {@link RadixTokenCache#clear()} never change a match, and no accessor
 * ever exposes a cache array: the array accessors ({@link #tokenIds()} and friends) return a fresh
 * copy on every call, the bulk accessors ({@link #copyTokenIds(int[], int)} and friends) copy into
 * an array of the caller's, and the indexed accessors ({@link #tokenId(int)} and friends) read one
 * value.
 *
 * <p><b>Memory.</b> A match keeps the payload arrays of every node on its path reachable (the whole
 * arrays of the last node, even when only part of it matched) for as long as the match itself is
 * reachable, also after the cache has evicted or garbage-collected those nodes. A match is meant
 * to be read and dropped; copy out what you keep (for example with {@link #tokenIds()}) rather
 * than keeping many matches alive.
 *
 * <p>The matched text ({@link #matchedText()}) is exactly the text of the returned tokens, and
 * {@link #remainingText()} starts right after the last returned token.
 *
 * @since 0.1.0
 */
public final class PrefixMatch {

  private final String query;
  private final MatchData data;

  PrefixMatch(String query, MatchData data) {
    this.query = query;
    this.data = data;
  }

  /**
   * Returns the text that was looked up.
   *
   * @return the query text
   */
  public String query() {
    return query;
  }

  /**
   * Returns whether at least one cached token matched.
   *
   * @return {@code true} for a hit
   */
  public boolean isHit() {
    return data.tokenCount() > 0;
  }

  /**
   * Returns the length, in UTF-16 chars, of the matched prefix.
   *
   * @return the matched length
   */
  public int matchedLength() {
    return data.matchedChars();
  }

  /**
   * Returns the matched prefix of the query (slime's {@code matched_prefix}).
   *
   * @return the matched text, possibly empty
   */
  public String matchedText() {
    return query.substring(0, data.matchedChars());
  }

  /**
   * Returns the rest of the query after the matched prefix (slime's {@code remaining_string}).
   *
   * @return the unmatched text, possibly empty
   */
  public String remainingText() {
    return query.substring(data.matchedChars());
  }

  /**
   * Returns the number of matched tokens.
   *
   * @return the token count
   */
  public int tokenCount() {
    return data.tokenCount();
  }

  /**
   * Returns a new array of the matched token ids.
   *
   * @return the token ids
   */
  public int[] tokenIds() {
    int[] out = new int[data.tokenCount()];
    data.copyTokenIds(out, 0);
    return out;
  }

  /**
   * Returns a new array of the rollout logprobs, one per matched token.
   *
   * @return the logprobs
   */
  public float[] logprobs() {
    float[] out = new float[data.tokenCount()];
    data.copyLogprobs(out, 0);
    return out;
  }

  /**
   * Returns a new array of the loss mask, one 0/1 value per matched token.
   *
   * @return the mask values
   */
  public int[] lossMask() {
    int[] out = new int[data.tokenCount()];
    data.copyLossMask(out, 0);
    return out;
  }

  /**
   * Returns a new array of the weight version of every matched token, {@link
   * RadixTokenCache#NO_VERSION} where unknown.
   *
   * @return the versions
   */
  public int[] weightVersions() {
    int[] out = new int[data.tokenCount()];
    data.copyWeightVersions(out, 0);
    return out;
  }

  /**
   * Copies the matched token ids into {@code dest}, starting at {@code destPos}, without
   * allocating.
   *
   * @param dest the array to fill
   * @param destPos where the first token id goes
   * @return the number of values written, {@link #tokenCount()}
   * @throws NullPointerException if {@code dest} is null
   * @throws IndexOutOfBoundsException if {@code [destPos, destPos + tokenCount())} is not inside
   *     {@code dest}
   */
  public int copyTokenIds(int[] dest, int destPos) {
    checkDestination(Objects.requireNonNull(dest, "dest").length, destPos);
    data.copyTokenIds(dest, destPos);
    return data.tokenCount();
  }

  /**
   * Copies the rollout logprobs into {@code dest}, starting at {@code destPos}, without
   * allocating.
   *
   * @param dest the array to fill
   * @param destPos where the first logprob goes
   * @return the number of values written, {@link #tokenCount()}
   * @throws NullPointerException if {@code dest} is null
   * @throws IndexOutOfBoundsException if {@code [destPos, destPos + tokenCount())} is not inside
   *     {@code dest}
   */
  public int copyLogprobs(float[] dest, int destPos) {
    checkDestination(Objects.requireNonNull(dest, "dest").length, destPos);
    data.copyLogprobs(dest, destPos);
    return data.tokenCount();
  }

  /**
   * Writes the loss mask, one 0/1 value per matched token, into {@code dest}, starting at {@code
   * destPos}, without allocating.
   *
   * @param dest the array to fill
   * @param destPos where the first value goes
   * @return the number of values written, {@link #tokenCount()}
   * @throws NullPointerException if {@code dest} is null
   * @throws IndexOutOfBoundsException if {@code [destPos, destPos + tokenCount())} is not inside
   *     {@code dest}
   */
  public int copyLossMask(int[] dest, int destPos) {
    checkDestination(Objects.requireNonNull(dest, "dest").length, destPos);
    data.copyLossMask(dest, destPos);
    return data.tokenCount();
  }

  /**
   * Writes the weight version of every matched token into {@code dest}, starting at {@code
   * destPos}, without allocating.
   *
   * @param dest the array to fill
   * @param destPos where the first version goes
   * @return the number of values written, {@link #tokenCount()}
   * @throws NullPointerException if {@code dest} is null
   * @throws IndexOutOfBoundsException if {@code [destPos, destPos + tokenCount())} is not inside
   *     {@code dest}
   */
  public int copyWeightVersions(int[] dest, int destPos) {
    checkDestination(Objects.requireNonNull(dest, "dest").length, destPos);
    data.copyWeightVersions(dest, destPos);
    return data.tokenCount();
  }

  private void checkDestination(int destLength, int destPos) {
    Objects.checkFromIndexSize(destPos, data.tokenCount(), destLength);
  }

  /**
   * Returns one token id. Walks the matched path's nodes (a handful), so prefer the bulk accessors
   * to read every token.
   *
   * @param index the token index
   * @return the token id
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public int tokenId(int index) {
    return data.tokenId(Objects.checkIndex(index, data.tokenCount()));
  }

  /**
   * Returns one token's rollout logprob.
   *
   * @param index the token index
   * @return the logprob
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public float logprob(int index) {
    return data.logprob(Objects.checkIndex(index, data.tokenCount()));
  }

  /**
   * Returns one token's loss-mask value.
   *
   * @param index the token index
   * @return 0 or 1
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public int lossMask(int index) {
    return data.lossMask(Objects.checkIndex(index, data.tokenCount())) ? 1 : 0;
  }

  /**
   * Returns one token's weight version.
   *
   * @param index the token index
   * @return the version, or {@link RadixTokenCache#NO_VERSION}
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public int weightVersion(int index) {
    return data.weightVersion(Objects.checkIndex(index, data.tokenCount()));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PrefixMatch)) {
      return false;
    }
    PrefixMatch m = (PrefixMatch) o;
    return matchedLength() == m.matchedLength()
        && query.equals(m.query)
        && Arrays.equals(tokenIds(), m.tokenIds())
        && Arrays.equals(logprobs(), m.logprobs())
        && Arrays.equals(lossMask(), m.lossMask())
        && Arrays.equals(weightVersions(), m.weightVersions());
  }

  @Override
  public int hashCode() {
    int h = query.hashCode();
    h = 31 * h + matchedLength();
    h = 31 * h + Arrays.hashCode(tokenIds());
    return 31 * h + Arrays.hashCode(logprobs());
  }

  /** Describes the match by sizes only; never prints the text or the tokens. */
  @Override
  public String toString() {
    return "PrefixMatch{matchedLength="
        + matchedLength()
        + ", remainingLength="
        + (query.length() - matchedLength())
        + ", tokens="
        + tokenCount()
        + '}';
  }
}
