package io.flexroute.radix;

import io.flexroute.radix.InvalidCacheInputException.Problem;
import io.flexroute.radix.internal.Bits;
import io.flexroute.radix.internal.MatchData;
import io.flexroute.radix.internal.RadixTree;
import io.flexroute.spi.Tokenizer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link RadixTokenCache} implementation: validates input, then delegates to {@link
 * RadixTree}, and wraps the tree's raw results in the public value types, copying each payload
 * value at most once.
 *
 * <p>Thread-safe; see {@link RadixTokenCache}. Not public API.
 */
final class DefaultRadixTokenCache implements RadixTokenCache {

  private final RadixTree tree;
  private final boolean deriveBoundariesOnRetrieve;

  DefaultRadixTokenCache(
      long maxCachedTokens,
      double evictionLowWatermark,
      int keepVersions,
      LongSupplier ticker,
      boolean deriveBoundariesOnRetrieve) {
    this.tree = new RadixTree(maxCachedTokens, evictionLowWatermark, keepVersions, ticker);
    this.deriveBoundariesOnRetrieve = deriveBoundariesOnRetrieve;
  }

  RadixTree tree() {
    return tree;
  }

  @Override
  public int insert(String text, int[] tokenIds) {
    return insert(text, tokenIds, null, null, NO_VERSION);
  }

  @Override
  public int insert(
      String text,
      int[] tokenIds,
      float @Nullable [] logprobs,
      int @Nullable [] lossMask,
      int weightVersion) {
    // Copied before they are checked: a caller's thread changing its arrays meanwhile must not
    // get unchecked values into the cache.
    int[] ids = tokenIds == null ? null : tokenIds.clone();
    float[] lps = logprobs == null ? null : logprobs.clone();
    int[] maskValues = lossMask == null ? null : lossMask.clone();
    Inputs.validate(text, ids, lps, maskValues, null, weightVersion);
    long[] mask = maskValues == null ? null : Bits.pack(maskValues);
    return tree.insert(text, ids, lps, mask, null, weightVersion);
  }

  @Override
  public int insert(CacheEntry entry) {
    return insertIfPrefixCached(entry, 0);
  }

  @Override
  public int insertIfPrefixCached(CacheEntry entry, int prefixTokens) {
    Objects.requireNonNull(entry, "entry");
    Inputs.checkPrefixTokens(prefixTokens, entry.tokenIdsInternal().length);
    return tree.insert(
        entry.text(),
        entry.tokenIdsInternal(),
        entry.logprobsInternal(),
        entry.lossMaskBitsInternal(),
        entry.tokenEndsInternal(),
        entry.weightVersion(),
        prefixTokens);
  }

  @Override
  public PrefixMatch lookup(String text) {
    Objects.requireNonNull(text, "text");
    return new PrefixMatch(text, tree.lookup(text));
  }

  @Override
  public Retrieval retrieve(String text, Tokenizer tokenizer) {
    if (text == null) {
      throw new InvalidCacheInputException(Problem.NULL_TEXT, "text must not be null");
    }
    if (text.isEmpty()) {
      throw new InvalidCacheInputException(Problem.EMPTY_TEXT, "text must not be empty");
    }
    Objects.requireNonNull(tokenizer, "tokenizer");
    MatchData hit = tree.lookup(text);
    int cached = hit.tokenCount();
    if (cached > 0) {
      String rest = text.substring(hit.matchedChars());
      int[] extra = rest.isEmpty() ? new int[0] : encode(tokenizer, rest);
      Inputs.checkTokenIds(extra, "the tokenizer's ids of the uncached rest");
      int n = cached + extra.length;
      int[] ids = new int[n];
      hit.copyTokenIds(ids, 0);
      System.arraycopy(extra, 0, ids, cached, extra.length);
      float[] logprobs = new float[n];
      hit.copyLogprobs(logprobs, 0);
      int[] mask = new int[n];
      hit.copyLossMask(mask, 0);
      int[] versions = new int[n];
      hit.copyWeightVersions(versions, 0);
      Arrays.fill(versions, cached, n, NO_VERSION);
      return new Retrieval(ids, logprobs, mask, versions, cached);
    }
    int[] ids = encode(tokenizer, text).clone();
    if (ids.length > 0) {
      Inputs.validate(text, ids, null, null, null, NO_VERSION);
      int[] ends = deriveBoundariesOnRetrieve ? TokenBoundaries.derive(text, ids, tokenizer) : null;
      tree.insert(text, ids, null, null, ends, NO_VERSION);
    }
    int[] versions = new int[ids.length];
    Arrays.fill(versions, NO_VERSION);
    return new Retrieval(ids, new float[ids.length], new int[ids.length], versions, 0);
  }

  @Override
  public long gcByWeightVersion(int currentVersion) {
    return tree.gcByWeightVersion(currentVersion);
  }

  @Override
  public long evictTo(long maxTokens) {
    if (maxTokens < 0) {
      throw new IllegalArgumentException("maxTokens must be >= 0, but was " + maxTokens);
    }
    return tree.evictTo(maxTokens);
  }

  @Override
  public CacheStats stats() {
    return tree.stats();
  }

  @Override
  public void clear() {
    tree.clear();
  }

  @Override
  public String toString() {
    CacheStats s = stats();
    return "RadixTokenCache{cachedTokens=" + s.cachedTokens() + ", nodes=" + s.nodeCount() + '}';
  }

  /** The tokenizer's ids of {@code text}; a tokenizer that returns none is named, not an NPE. */
  private static int[] encode(Tokenizer tokenizer, String text) {
    int[] ids = tokenizer.encode(text);
    if (ids == null) {
      throw new IllegalStateException(
          "tokenizer " + tokenizer.getClass().getName() + " returned null for a text of "
              + text.length() + " characters");
    }
    return ids;
  }
}
