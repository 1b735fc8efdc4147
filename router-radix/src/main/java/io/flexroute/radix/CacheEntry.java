package io.flexroute.radix;

import io.flexroute.radix.internal.Bits;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One text and its tokens, ready to insert into a {@link RadixTokenCache}, with the optional token
 * boundaries that let the cache split and share it at token granularity. Instances are immutable and
 * thread-safe: the builder copies every array it is given and the accessors return copies.
 *
 * <p>Build one with {@link #builder(String, int[])}; {@link Builder#build()}
 * validates the entry, so an entry that exists is always accepted by {@link
 * RadixTokenCache#insert(CacheEntry)}.
 *
 * <p>Token ends are exclusive offsets in UTF-16 chars (Java {@code String} indices), one per token,
 * non-decreasing, the last equal to the text length. A token whose text is empty (for example the
 * second byte-level token of one character) repeats the previous end. Without token ends the cache
 * never splits this entry's text between tokens; see {@link TokenBoundaries} to obtain them.
 *
 * @since 0.1.0
 */
public final class CacheEntry {

  private final String text;
  private final int[] tokenIds;
  private final float @Nullable [] logprobs;
  private final boolean hasLossMask;
  private final long @Nullable [] lossMaskBits;
  private final int @Nullable [] tokenEnds;
  private final int weightVersion;

  private CacheEntry(
      String text,
      int[] tokenIds,
      float @Nullable [] logprobs,
      int @Nullable [] lossMask,
      int @Nullable [] tokenEnds,
      int weightVersion) {
    this.text = text;
    this.tokenIds = tokenIds;
    this.logprobs = logprobs;
    this.hasLossMask = lossMask != null;
    this.lossMaskBits = lossMask == null ? null : Bits.pack(lossMask);
    this.tokenEnds = tokenEnds;
    this.weightVersion = weightVersion;
  }

  /**
   * Starts an entry for a text and its token ids.
   *
   * @param text the text the tokens spell
   * @param tokenIds the token ids, copied when the entry is built
   * @return a new builder
   */
  public static Builder builder(String text, int[] tokenIds) {
    return new Builder(text, tokenIds);
  }

  /**
   * Returns the text.
   *
   * @return the text
   */
  public String text() {
    return text;
  }

  /**
   * Returns a copy of the token ids.
   *
   * @return the token ids
   */
  public int[] tokenIds() {
    return tokenIds.clone();
  }

  /**
   * Returns a copy of the logprobs, or {@code null} when they default to 0.0.
   *
   * @return the logprobs or {@code null}
   */
  public float @Nullable [] logprobs() {
    return logprobs == null ? null : logprobs.clone();
  }

  /**
   * Returns a copy of the loss mask, or {@code null} when it defaults to all 0.
   *
   * @return the loss mask or {@code null}
   */
  public int @Nullable [] lossMask() {
    if (!hasLossMask) {
      return null;
    }
    int[] out = new int[tokenIds.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Bits.get(lossMaskBits, i) ? 1 : 0;
    }
    return out;
  }

  /**
   * Returns a copy of the token end offsets, or {@code null} when the boundaries are unknown.
   *
   * @return the token ends or {@code null}
   */
  public int @Nullable [] tokenEnds() {
    return tokenEnds == null ? null : tokenEnds.clone();
  }

  /**
   * Returns the weight version, or {@link RadixTokenCache#NO_VERSION}.
   *
   * @return the weight version
   */
  public int weightVersion() {
    return weightVersion;
  }

  // Package-private, no copies: the cache only reads them.
  int[] tokenIdsInternal() {
    return tokenIds;
  }

  float @Nullable [] logprobsInternal() {
    return logprobs;
  }

  long @Nullable [] lossMaskBitsInternal() {
    return lossMaskBits;
  }

  int @Nullable [] tokenEndsInternal() {
    return tokenEnds;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CacheEntry)) {
      return false;
    }
    CacheEntry e = (CacheEntry) o;
    return weightVersion == e.weightVersion
        && text.equals(e.text)
        && Arrays.equals(tokenIds, e.tokenIds)
        && Arrays.equals(logprobs, e.logprobs)
        && hasLossMask == e.hasLossMask
        && Arrays.equals(lossMaskBits, e.lossMaskBits)
        && Arrays.equals(tokenEnds, e.tokenEnds);
  }

  @Override
  public int hashCode() {
    int h = text.hashCode();
    h = 31 * h + Arrays.hashCode(tokenIds);
    h = 31 * h + Arrays.hashCode(logprobs);
    h = 31 * h + Arrays.hashCode(lossMaskBits);
    h = 31 * h + Arrays.hashCode(tokenEnds);
    return 31 * h + weightVersion;
  }

  /** Describes the entry by sizes only; never prints the text or the tokens. */
  @Override
  public String toString() {
    return "CacheEntry{chars="
        + text.length()
        + ", tokens="
        + tokenIds.length
        + ", boundaries="
        + (tokenEnds != null)
        + ", weightVersion="
        + weightVersion
        + '}';
  }

  /**
   * Builds a {@link CacheEntry}. Not thread-safe.
   *
   * <p>Arrays are copied by {@link #build()}, which validates the whole entry.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final @Nullable String text;
    private final int @Nullable [] tokenIds;
    private float @Nullable [] logprobs;
    private int @Nullable [] lossMask;
    private int @Nullable [] tokenEnds;
    private int weightVersion = RadixTokenCache.NO_VERSION;

    private Builder(@Nullable String text, int @Nullable [] tokenIds) {
      this.text = text;
      this.tokenIds = tokenIds;
    }

    /**
     * Sets the rollout logprob of every token; {@code null} (the default) means 0.0 for each.
     *
     * @param logprobs one logprob per token, or {@code null}
     * @return this builder
     */
    public Builder logprobs(float @Nullable [] logprobs) {
      this.logprobs = logprobs;
      return this;
    }

    /**
     * Sets the loss mask, 1 for tokens trained on and 0 otherwise; {@code null} (the default)
     * means 0 for each.
     *
     * @param lossMask one 0/1 value per token, or {@code null}
     * @return this builder
     */
    public Builder lossMask(int @Nullable [] lossMask) {
      this.lossMask = lossMask;
      return this;
    }

    /**
     * Sets the exclusive end offset, in UTF-16 chars, of every token in the text; {@code null}
     * (the default) means the boundaries are unknown.
     *
     * @param tokenEnds one non-decreasing end per token, the last equal to the text length
     * @return this builder
     */
    public Builder tokenEnds(int @Nullable [] tokenEnds) {
      this.tokenEnds = tokenEnds;
      return this;
    }

    /**
     * Sets the weight version of the policy that produced the tokens; the default is {@link
     * RadixTokenCache#NO_VERSION}.
     *
     * @param weightVersion a version {@code >= 0}, or {@code -1} for none
     * @return this builder
     */
    public Builder weightVersion(int weightVersion) {
      this.weightVersion = weightVersion;
      return this;
    }

    /**
     * Validates the entry and builds it.
     *
     * @return the entry
     * @throws InvalidCacheInputException if the text or tokens are null or empty, an array's
     *     length differs from the token count, a mask value is not 0 or 1, the version is below
     *     -1, or the token ends are invalid
     */
    public CacheEntry build() {
      // Copy first, then validate the copies, so that what is checked is what is kept.
      int[] ids = tokenIds == null ? null : tokenIds.clone();
      float[] lp = logprobs == null ? null : logprobs.clone();
      int[] mask = lossMask == null ? null : lossMask.clone();
      int[] ends = tokenEnds == null ? null : tokenEnds.clone();
      Inputs.validate(text, ids, lp, mask, ends, weightVersion);
      return new CacheEntry(
          Objects.requireNonNull(text), Objects.requireNonNull(ids), lp, mask, ends, weightVersion);
    }
  }
}
