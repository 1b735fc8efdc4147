package io.flexroute.radix;

import io.flexroute.radix.internal.Bits;
import io.flexroute.radix.internal.MatchData;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of {@link RadixTokenCache#lookup(String)}: the longest cached prefix of a text that
 * ends on a token boundary, with the payload of its tokens. Instances are immutable and
 * thread-safe.
 *
 * <p>The cache copies the payload out while it holds its
 * read lock, so later inserts, GC or eviction never change a result; every array accessor returns a
 * fresh copy, and the indexed accessors ({@link #tokenId(int)} and friends) read without copying.
 *
 * <p>The matched text ({@link #matchedText()}) is exactly the text of the returned tokens, and
 * {@link #remainingText()} starts right after the last returned token.
 *
 * @since 0.1.0
 */
public final class PrefixMatch {

  private final String query;
  private final int matchedLength;
  private final int[] tokenIds;
  private final float[] logprobs;
  private final long @Nullable [] lossMask;
  private final int[] versionRunEnds;
  private final int[] versionRuns;

  PrefixMatch(String query, MatchData data) {
    this.query = query;
    this.matchedLength = data.matchedChars;
    this.tokenIds = data.tokenIds;
    this.logprobs = data.logprobs;
    this.lossMask = data.lossMask;
    this.versionRunEnds = data.versionRunEnds;
    this.versionRuns = data.versionRuns;
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
    return tokenIds.length > 0;
  }

  /**
   * Returns the length, in UTF-16 chars, of the matched prefix.
   *
   * @return the matched length
   */
  public int matchedLength() {
    return matchedLength;
  }

  /**
   * Returns the matched prefix of the query (slime's {@code matched_prefix}).
   *
   * @return the matched text, possibly empty
   */
  public String matchedText() {
    return query.substring(0, matchedLength);
  }

  /**
   * Returns the rest of the query after the matched prefix (slime's {@code remaining_string}).
   *
   * @return the unmatched text, possibly empty
   */
  public String remainingText() {
    return query.substring(matchedLength);
  }

  /**
   * Returns the number of matched tokens.
   *
   * @return the token count
   */
  public int tokenCount() {
    return tokenIds.length;
  }

  /**
   * Returns a copy of the matched token ids.
   *
   * @return the token ids
   */
  public int[] tokenIds() {
    return tokenIds.clone();
  }

  /**
   * Returns a copy of the rollout logprobs, one per matched token.
   *
   * @return the logprobs
   */
  public float[] logprobs() {
    return logprobs.clone();
  }

  /**
   * Returns the loss mask, one 0/1 value per matched token.
   *
   * @return a new array of the mask values
   */
  public int[] lossMask() {
    int[] out = new int[tokenIds.length];
    if (lossMask != null) {
      for (int i = 0; i < out.length; i++) {
        out[i] = Bits.get(lossMask, i) ? 1 : 0;
      }
    }
    return out;
  }

  /**
   * Returns the weight version of every matched token, {@link RadixTokenCache#NO_VERSION} where
   * unknown.
   *
   * @return a new array of versions
   */
  public int[] weightVersions() {
    int[] out = new int[tokenIds.length];
    int start = 0;
    for (int r = 0; r < versionRuns.length; r++) {
      Arrays.fill(out, start, versionRunEnds[r], versionRuns[r]);
      start = versionRunEnds[r];
    }
    return out;
  }

  /**
   * Returns one token id.
   *
   * @param index the token index
   * @return the token id
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public int tokenId(int index) {
    return tokenIds[Objects.checkIndex(index, tokenIds.length)];
  }

  /**
   * Returns one token's rollout logprob.
   *
   * @param index the token index
   * @return the logprob
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public float logprob(int index) {
    return logprobs[Objects.checkIndex(index, tokenIds.length)];
  }

  /**
   * Returns one token's loss-mask value.
   *
   * @param index the token index
   * @return 0 or 1
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public int lossMask(int index) {
    return Bits.get(lossMask, Objects.checkIndex(index, tokenIds.length)) ? 1 : 0;
  }

  /**
   * Returns one token's weight version.
   *
   * @param index the token index
   * @return the version, or {@link RadixTokenCache#NO_VERSION}
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, tokenCount())}
   */
  public int weightVersion(int index) {
    Objects.checkIndex(index, tokenIds.length);
    int lo = 0;
    int hi = versionRunEnds.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (versionRunEnds[mid] <= index) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return versionRuns[lo];
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
    return matchedLength == m.matchedLength
        && query.equals(m.query)
        && Arrays.equals(tokenIds, m.tokenIds)
        && Arrays.equals(logprobs, m.logprobs)
        && Arrays.equals(lossMask(), m.lossMask())
        && Arrays.equals(weightVersions(), m.weightVersions());
  }

  @Override
  public int hashCode() {
    int h = query.hashCode();
    h = 31 * h + matchedLength;
    h = 31 * h + Arrays.hashCode(tokenIds);
    return 31 * h + Arrays.hashCode(logprobs);
  }

  /** Describes the match by sizes only; never prints the text or the tokens. */
  @Override
  public String toString() {
    return "PrefixMatch{matchedLength="
        + matchedLength
        + ", remainingLength="
        + (query.length() - matchedLength)
        + ", tokens="
        + tokenIds.length
        + '}';
  }
}
