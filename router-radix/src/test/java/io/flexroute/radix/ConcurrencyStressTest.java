package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Readers, writers, GC and eviction at once for a bounded time, then the invariants. Every token's
 * payload is a pure function of its id, so a torn read shows up as a payload that does not match.
 */
class ConcurrencyStressTest {

  private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2_000);
  private static final int MAX_ITERATIONS = 2_000_000;
  private static final String[] SYSTEM_PROMPTS = new String[20];

  static {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < SYSTEM_PROMPTS.length; i++) {
      SYSTEM_PROMPTS[i] = "system " + i + ": " + words(r, 30);
    }
  }

  private final ToyTokenizer tok = new ToyTokenizer();

  /** Pinned threads stamp access times far in the future so LRU eviction never picks them. */
  private static final ThreadLocal<Boolean> PINNED = ThreadLocal.withInitial(() -> false);

  private static String words(SplittableRandom r, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      int len = 1 + r.nextInt(7);
      for (int j = 0; j < len; j++) {
        sb.append((char) ('a' + r.nextInt(6)));
      }
      if (r.nextInt(8) == 0) {
        sb.append('.');
      }
    }
    return sb.toString();
  }

  private static float logprobOf(int id) {
    return -(id % 97) / 8f;
  }

  private static int maskOf(int id) {
    return id & 1;
  }

  private CacheEntry entry(String text, int version, boolean boundaries) {
    int[] ids = tok.encode(text);
    float[] lp = new float[ids.length];
    int[] mask = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      lp[i] = logprobOf(ids[i]);
      mask[i] = maskOf(ids[i]);
    }
    CacheEntry.Builder b =
        CacheEntry.builder(text, ids).logprobs(lp).lossMask(mask).weightVersion(version);
    if (boundaries) {
      b.tokenEnds(ToyTokenizer.endsOf(text));
    }
    return b.build();
  }

  /** Checks that a result is made of whole tokens spelling its matched text, with their payload. */
  private void checkUntorn(String query, PrefixMatch m, int maxVersion) {
    assertThat(query).startsWith(m.matchedText());
    assertThat(tok.decode(m.tokenIds())).isEqualTo(m.matchedText());
    for (int i = 0; i < m.tokenCount(); i++) {
      int id = m.tokenId(i);
      assertThat(m.logprob(i)).isEqualTo(logprobOf(id));
      assertThat(m.lossMask(i)).isEqualTo(maskOf(id));
      assertThat(m.weightVersion(i)).isBetween(-1, maxVersion);
    }
  }

  @Test
  void readersWritersGcAndEviction_keepTreeConsistentAndResultsUntorn() throws Exception {
    AtomicLong clock = new AtomicLong();
    LongSupplier ticker = () -> PINNED.get() ? Long.MAX_VALUE / 2 : clock.incrementAndGet();
    AtomicInteger version = new AtomicInteger();

    // Pinned entries: no version (GC keeps them), own first char, newest access time.
    List<String> pinned = new ArrayList<>();
    SplittableRandom seed = new SplittableRandom(11);
    for (int i = 0; i < 40; i++) {
      pinned.add("#pinned " + i + " " + words(seed, 12));
    }
    RadixTokenCache cache =
        RadixTokenCache.builder()
            .maxCachedTokens(20_000)
            .evictionLowWatermark(0.5)
            .keepVersions(2)
            .ticker(ticker)
            .build();
    PINNED.set(true);
    long pinnedTokens = 0;
    for (String p : pinned) {
      pinnedTokens += cache.insert(entry(p, RadixTokenCache.NO_VERSION, true));
    }
    PINNED.set(false);
    long evictFloor = pinnedTokens + 2_000;
    assertThat(evictFloor).isLessThan(10_000); // automatic eviction target stays above the pins

    int writers = 2;
    int readers = 2;
    int threads = writers + readers + 2;
    CyclicBarrier start = new CyclicBarrier(threads);
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    LongAdder lookups = new LongAdder();
    LongAdder inserts = new LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Runnable> tasks = new ArrayList<>();

    for (int w = 0; w < writers; w++) {
      int id = w;
      tasks.add(() -> {
        SplittableRandom r = new SplittableRandom(100 + id);
        long deadline = System.nanoTime() + RUN_NANOS;
        for (int i = 0; i < MAX_ITERATIONS && System.nanoTime() < deadline; i++) {
          String base = SYSTEM_PROMPTS[r.nextInt(SYSTEM_PROMPTS.length)];
          String text = base + " user " + words(r, 3 + r.nextInt(20));
          if (i % 64 == 0) {
            version.incrementAndGet();
          }
          cache.insert(entry(text, version.get(), r.nextInt(4) != 0));
          inserts.increment();
        }
      });
    }
    for (int k = 0; k < readers; k++) {
      int id = k;
      tasks.add(() -> {
        SplittableRandom r = new SplittableRandom(200 + id);
        long deadline = System.nanoTime() + RUN_NANOS;
        for (int i = 0; i < MAX_ITERATIONS && System.nanoTime() < deadline; i++) {
          String base = SYSTEM_PROMPTS[r.nextInt(SYSTEM_PROMPTS.length)];
          String query = base + " user " + words(r, 1 + r.nextInt(10));
          checkUntorn(query, cache.lookup(query), version.get());
          lookups.increment();
        }
      });
    }
    tasks.add(() -> {
      PINNED.set(true);
      long deadline = System.nanoTime() + RUN_NANOS;
      for (int i = 0; i < MAX_ITERATIONS && System.nanoTime() < deadline; i++) {
        String p = pinned.get(i % pinned.size());
        PrefixMatch m = cache.lookup(p);
        assertThat(m.matchedLength()).as("pinned entry %s", i % pinned.size())
            .isEqualTo(p.length());
        assertThat(m.tokenIds()).containsExactly(tok.encode(p));
        checkUntorn(p, m, version.get());
      }
    });
    tasks.add(() -> {
      long deadline = System.nanoTime() + RUN_NANOS;
      for (int i = 0; i < MAX_ITERATIONS && System.nanoTime() < deadline; i++) {
        if (i % 2 == 0) {
          cache.gcByWeightVersion(version.get());
        } else {
          cache.evictTo(evictFloor);
        }
        cache.stats();
      }
    });

    for (Runnable task : tasks) {
      pool.execute(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
          task.run();
        } catch (Throwable t) {
          failures.add(t);
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    assertThat(failures).isEmpty();
    assertThat(inserts.sum()).isPositive();
    assertThat(lookups.sum()).isPositive();
    ((DefaultRadixTokenCache) cache).tree().verifyInvariants();
    CacheStats s = cache.stats();
    assertThat(s.cachedTokens()).isLessThanOrEqualTo(20_000);
    assertThat(s.gcRemovedTokens() + s.evictedTokens()).isPositive();
    PINNED.set(true);
    for (String p : pinned) {
      PrefixMatch m = cache.lookup(p);
      assertThat(m.matchedLength()).isEqualTo(p.length());
      assertThat(m.tokenIds()).containsExactly(tok.encode(p));
      checkUntorn(p, m, version.get());
    }
    PINNED.set(false);
  }
}
