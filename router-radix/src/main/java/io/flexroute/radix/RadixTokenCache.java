package io.flexroute.radix;

import io.flexroute.spi.Tokenizer;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A radix prefix cache of RL rollout texts and the exact tokens, rollout logprobs, loss masks and
 * weight versions they were generated with. Thread-safe: lookups run concurrently under a read lock;
 * inserts, GC and eviction run one at a time under the write lock; results never share state with
 * the cache.
 *
 * <p>One {@link java.util.concurrent.locks.ReentrantReadWriteLock} guards the tree:
 * {@link #lookup}, {@link #retrieve}'s lookup and {@link #stats} take the read lock and run
 * concurrently with each other; inserts, GC, eviction and {@link #clear} take the write lock and
 * run one at a time, excluding all readers. The lock is non-fair, and a queued writer makes new
 * readers wait, so writers are not starved by a stream of lookups. The cache never writes into a
 * payload array (token ids, logprobs, loss mask) once it holds it: splits and slices make new
 * arrays. A lookup therefore takes references to the payload arrays of the matched path while
 * holding the read lock, and {@link PrefixMatch} copies from them when read: later inserts, GC or
 * eviction never change a match, and no accessor exposes a cache array (a match keeps those arrays
 * reachable while it is itself reachable; see {@link PrefixMatch}). The only state a lookup writes
 * is access times and hit counters, both safe under concurrent readers. {@link #retrieve} calls
 * the tokenizer outside any lock.
 *
 * <h2>Model</h2>
 *
 * <p>Keys are Java strings compared char by char (UTF-16 units). Every node holds a text fragment
 * and the tokens that spell it. Partial overlaps share their common part: a node is split at the
 * last token boundary inside the common text, so a lookup returns only whole tokens whose text lies
 * inside the matched text. Boundaries come from {@link CacheEntry.Builder#tokenEnds(int[])} or
 * from a cached node the insert agrees with; where they are unknown a stretch is never split. The
 * first insert of a text wins: where a later insert tokenises the same text differently, the cached
 * tokens keep the stretch and the insert branches at the first token that differs.
 *
 * <h2>Budget, GC and eviction</h2>
 *
 * <p>After any insert that adds tokens, once the cached token count reaches {@link
 * Builder#maxCachedTokens(long)}, GC by weight version runs with the newest version seen (see
 * {@link #gcByWeightVersion(int)}); if the cache is still over budget, least-recently-used leaves
 * are evicted down to {@link Builder#evictionLowWatermark(double)} of the budget.
 *
 * @since 0.1.0
 */
public interface RadixTokenCache {

  /** The weight version of tokens whose version is unknown. */
  int NO_VERSION = -1;

  /**
   * Returns a builder with the default settings.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Inserts a text and its tokens, with logprobs 0.0, loss mask 0 and no weight version. Equivalent
   * to {@code insert(text, tokenIds, null, null, NO_VERSION)}.
   *
   * @param text non-empty text
   * @param tokenIds non-empty token ids of the text
   * @return the number of tokens newly cached; 0 if the text was already cached
   * @throws InvalidCacheInputException if the text or tokens are null or empty; the cache is
   *     unchanged
   */
  int insert(String text, int[] tokenIds);

  /**
   * Inserts a text and its tokens without token boundaries, so the new part is never split inside.
   *
   * <p>Walks the cached nodes the insert agrees with (same text and same token ids), splitting a
   * node where the insert diverges inside it if that node's boundaries are known, and caches what is
   * left as one new node. Cached tokens are never overwritten. Every node walked through gets its
   * traverse version raised to {@code max(old, weightVersion)}.
   *
   * @param text non-empty text
   * @param tokenIds non-empty token ids of the text
   * @param logprobs one rollout logprob per token, or {@code null} for 0.0
   * @param lossMask one 0/1 value per token, or {@code null} for 0
   * @param weightVersion the weight version that produced the tokens, or {@link #NO_VERSION}
   * @return the number of tokens newly cached; 0 if the text was already cached
   * @throws InvalidCacheInputException if the text or tokens are null or empty, an array's length
   *     differs from the token count, a mask value is not 0 or 1, or the version is below -1; the
   *     cache is unchanged
   */
  int insert(
      String text,
      int[] tokenIds,
      float @Nullable [] logprobs,
      int @Nullable [] lossMask,
      int weightVersion);

  /**
   * Inserts a validated entry, splitting at its token boundaries when it has them.
   *
   * @param entry the entry
   * @return the number of tokens newly cached; 0 if the text was already cached
   */
  int insert(CacheEntry entry);

  /**
   * Inserts a validated entry only if its first {@code prefixTokens} tokens are cached (same text
   * and token ids), checked atomically with the insert. For callers that extend what a lookup
   * found: if GC or eviction removed that prefix meanwhile, a plain insert would cache it again
   * under the entry's single weight version, relabelling tokens that older weights produced; this
   * insert leaves the cache unchanged instead.
   *
   * <p>The default checks with {@link #lookup} and then inserts, which is not atomic;
   * implementations should override it.
   *
   * @param entry the entry
   * @param prefixTokens how many leading tokens of the entry must be cached; 0 inserts always
   * @return the number of tokens newly cached, or -1 if the prefix was not cached and nothing was
   *     inserted
   * @throws IllegalArgumentException if {@code prefixTokens} is negative or more than the entry's
   *     tokens
   */
  default int insertIfPrefixCached(CacheEntry entry, int prefixTokens) {
    java.util.Objects.requireNonNull(entry, "entry");
    Inputs.checkPrefixTokens(prefixTokens, entry.tokenIdsInternal().length);
    if (prefixTokens > 0) {
      PrefixMatch match = lookup(entry.text());
      int[] cached = match.tokenIds();
      if (cached.length < prefixTokens
          || !java.util.Arrays.equals(
              cached, 0, prefixTokens, entry.tokenIdsInternal(), 0, prefixTokens)) {
        return -1;
      }
    }
    return insert(entry);
  }

  /**
   * Finds the longest cached prefix of {@code text} made of whole tokens (slime's {@code
   * find_longest_prefix}); the match reads its payload from the cache's immutable arrays, copying
   * each value once when it is read. Refreshes the access time of the nodes used and counts
   * one hit (at least one token) or one miss; empty text returns an empty match and counts neither.
   *
   * @param text the text to look up
   * @return the match; never {@code null}
   */
  PrefixMatch lookup(String text);

  /**
   * Returns the tokens of a whole text for training (slime's {@code retrieve_from_text}).
   *
   * <p>On a hit: the cached tokens plus {@code tokenizer.encode} of the remaining text, which gets
   * logprob 0.0, mask 0 and version {@link #NO_VERSION} and is not inserted. On a miss: the whole
   * text is tokenised, inserted with logprob 0.0, mask 0 and no version (with token boundaries
   * derived by decoding each token, unless disabled on the builder), and returned.
   *
   * @param text non-empty text
   * @param tokenizer the tokenizer of the model
   * @return the tokens and their payload
   * @throws InvalidCacheInputException if the text is null or empty
   */
  Retrieval retrieve(String text, Tokenizer tokenizer);

  /**
   * Removes every node whose traverse version is below {@code currentVersion - keepVersions}
   * (strictly), together with its subtree; nodes that no versioned insert walked through are kept
   * unless an ancestor is removed.
   *
   * @param currentVersion the current weight version
   * @return the number of tokens removed
   */
  long gcByWeightVersion(int currentVersion);

  /**
   * Evicts least-recently-used leaves (a node becomes a leaf when its last child goes) until at
   * most {@code maxTokens} tokens remain.
   *
   * @param maxTokens the number of tokens to keep at most
   * @return the number of tokens removed
   * @throws IllegalArgumentException if {@code maxTokens} is negative
   */
  long evictTo(long maxTokens);

  /**
   * Returns the counters. Sizes (tokens, nodes, bytes) are read together under the read lock; hit
   * and miss counts are updated after each lookup's lock is released, so a snapshot taken while
   * lookups run may hold a hit without its matched tokens yet.
   *
   * @return the statistics
   */
  CacheStats stats();

  /** Removes every entry and resets the counters. */
  void clear();

  /**
   * Builds a {@link RadixTokenCache}. Not thread-safe.
   *
   * <p>Each setter validates its argument and throws {@link
   * IllegalArgumentException} with the value in the message.
   *
   * @since 0.1.0
   */
  final class Builder {

    /** Default token budget, slime's {@code max_cache_size}. */
    public static final long DEFAULT_MAX_CACHED_TOKENS = 10_000;

    /** Default number of weight versions below the current one that GC keeps. */
    public static final int DEFAULT_KEEP_VERSIONS = 5;

    /** Default fraction of the budget that an automatic eviction frees down to. */
    public static final double DEFAULT_EVICTION_LOW_WATERMARK = 0.9;

    private long maxCachedTokens = DEFAULT_MAX_CACHED_TOKENS;
    private int keepVersions = DEFAULT_KEEP_VERSIONS;
    private double evictionLowWatermark = DEFAULT_EVICTION_LOW_WATERMARK;
    private LongSupplier ticker = Builder::millisTicker;
    private boolean deriveBoundariesOnRetrieve = true;

    Builder() {}

    private static long millisTicker() {
      return System.nanoTime() / 1_000_000L;
    }

    /**
     * Sets the token budget; default {@link #DEFAULT_MAX_CACHED_TOKENS}. Inserts with or without a
     * version count against it.
     *
     * @param maxCachedTokens the budget, at least 1
     * @return this builder
     * @throws IllegalArgumentException if the budget is below 1
     */
    public Builder maxCachedTokens(long maxCachedTokens) {
      if (maxCachedTokens < 1) {
        throw new IllegalArgumentException(
            "maxCachedTokens must be >= 1, but was " + maxCachedTokens);
      }
      this.maxCachedTokens = maxCachedTokens;
      return this;
    }

    /**
     * Sets k, how many versions below the current one GC keeps; default {@link
     * #DEFAULT_KEEP_VERSIONS}.
     *
     * @param keepVersions k, at least 0
     * @return this builder
     * @throws IllegalArgumentException if k is negative
     */
    public Builder keepVersions(int keepVersions) {
      if (keepVersions < 0) {
        throw new IllegalArgumentException("keepVersions must be >= 0, but was " + keepVersions);
      }
      this.keepVersions = keepVersions;
      return this;
    }

    /**
     * Sets the fraction of the budget an automatic eviction frees down to; default {@link
     * #DEFAULT_EVICTION_LOW_WATERMARK}. 1.0 evicts just enough to fit, like slime, at the cost of
     * one eviction pass over the tree per insert while the cache is full.
     *
     * @param fraction a fraction in (0, 1]
     * @return this builder
     * @throws IllegalArgumentException if the fraction is not in (0, 1]
     */
    public Builder evictionLowWatermark(double fraction) {
      if (!(fraction > 0.0 && fraction <= 1.0)) {
        throw new IllegalArgumentException(
            "evictionLowWatermark must be in (0, 1], but was " + fraction);
      }
      this.evictionLowWatermark = fraction;
      return this;
    }

    /**
     * Sets the clock used for least-recently-used order, in any unit; the default reads {@link
     * System#nanoTime()} in milliseconds. Tests pass a fake ticker.
     *
     * @param ticker the clock, called on every insert and lookup
     * @return this builder
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets whether a retrieve that misses derives token boundaries for the text it inserts, at
     * the cost of one {@link Tokenizer#decodeEach(int[])} call; default {@code true}.
     *
     * @param derive whether to derive boundaries
     * @return this builder
     */
    public Builder deriveBoundariesOnRetrieve(boolean derive) {
      this.deriveBoundariesOnRetrieve = derive;
      return this;
    }

    /**
     * Builds an empty cache.
     *
     * @return the cache
     */
    public RadixTokenCache build() {
      return new DefaultRadixTokenCache(
          maxCachedTokens, evictionLowWatermark, keepVersions, ticker, deriveBoundariesOnRetrieve);
    }
  }
}
