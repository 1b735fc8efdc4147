package io.flexroute.radix;

/**
 * An immutable snapshot of a {@link RadixTokenCache}'s counters. Instances are immutable and
 * thread-safe.
 *
 * <p>Hits and misses count queries (lookups and retrieves), not nodes: a query with at least one
 * cached token is a hit, one with none is a miss, and an empty query counts as neither.
 *
 * @param hitCount queries that matched at least one cached token
 * @param missCount queries that matched no cached token
 * @param matchedTokenCount tokens returned from the cache over all hits
 * @param cachedTokens tokens currently cached
 * @param nodeCount nodes currently in the tree (the root excluded)
 * @param estimatedBytes deterministic estimate of the heap the tree retains, from array sizes on a
 *     64-bit JVM with compressed oops
 * @param evictedTokens tokens removed by LRU eviction since creation or the last clear
 * @param gcRemovedTokens tokens removed by weight-version GC since creation or the last clear
 * @since 0.1.0
 */
public record CacheStats(
    long hitCount,
    long missCount,
    long matchedTokenCount,
    long cachedTokens,
    long nodeCount,
    long estimatedBytes,
    long evictedTokens,
    long gcRemovedTokens) {

  /**
   * Returns the number of counted queries, hits plus misses.
   *
   * @return the query count
   */
  public long requestCount() {
    return hitCount + missCount;
  }

  /**
   * Returns the fraction of queries that were hits, or 0.0 before any query.
   *
   * @return the hit rate in [0, 1]
   */
  public double hitRate() {
    long requests = requestCount();
    return requests == 0 ? 0.0 : (double) hitCount / requests;
  }

  /**
   * Returns the estimated bytes per cached token, text and tree overhead included, or 0.0 when the
   * cache is empty.
   *
   * @return estimated bytes divided by cached tokens
   */
  public double bytesPerCachedToken() {
    return cachedTokens == 0 ? 0.0 : (double) estimatedBytes / cachedTokens;
  }
}
