package io.flexroute.benchmarks.radix;

import io.flexroute.radix.CacheStats;
import io.flexroute.radix.CacheEntry;
import io.flexroute.radix.RadixTokenCache;
import java.util.List;
import java.util.Locale;

/**
 * Prints the bytes per cached token of a radix cache holding about 1,000,000 tokens, from the
 * cache's own deterministic estimate and from a heap measurement, for both workloads.
 *
 * <p>Run with a fixed heap so the measurement is stable:
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp router-benchmarks/target/benchmarks.jar \
 *     io.flexroute.benchmarks.radix.RadixMemoryReport
 * </pre>
 */
public final class RadixMemoryReport {

  private static final long TARGET_TOKENS = 1_000_000;

  private RadixMemoryReport() {}

  /**
   * Runs the report.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    report("multi-turn", RadixWorkloads.multiTurn(700, 42));
    report("flat", RadixWorkloads.flat());
  }

  private static void report(String name, RadixWorkloads.Workload workload) {
    List<String> texts = workload.texts();
    long before = usedHeap();
    RadixTokenCache cache = RadixCacheBenchmark.newCache();
    int i = 0;
    while (cache.stats().cachedTokens() < TARGET_TOKENS && i < texts.size()) {
      String text = texts.get(i);
      CacheEntry e = RadixWorkloads.entry(text, text.length() / 2, i % 4);
      cache.insert(e);
      i++;
    }
    long after = usedHeap();
    CacheStats s = cache.stats();
    System.out.printf(
        Locale.ROOT,
        "%s: %d inserts, %d cached tokens, %d nodes, estimate %.1f bytes/token, heap %.1f"
            + " bytes/token%n",
        name,
        i,
        s.cachedTokens(),
        s.nodeCount(),
        s.bytesPerCachedToken(),
        (double) (after - before) / s.cachedTokens());
    // Keeps the cache reachable until after the measurement.
    if (cache.lookup(texts.get(0)).tokenCount() == 0) {
      throw new IllegalStateException("the first text is not cached");
    }
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int k = 0; k < 5; k++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
