package io.flexroute.benchmarks.radix;

import io.flexroute.radix.CacheEntry;
import io.flexroute.radix.PrefixMatch;
import io.flexroute.radix.RadixTokenCache;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Throughput and latency of the radix prefix cache on slime's RL rollout shapes, to compare with
 * slime's Python radix tree (32,600 inserts/s and 21,200 lookups/s multi-turn; 1,800 inserts/s and
 * 840 lookups/s flat).
 *
 * <ul>
 *   <li>Multi-turn: 625 prompts (one of 50 ~560-char system prompts + a user turn) x 4 samples x 4
 *       turns, every turn inserted: 10,625 inserts of ~1,400 chars on average.
 *   <li>Flat: 10,000 distinct ~2,200-char conversations sharing the 50 system prompts.
 *   <li>Lookups on each: 100,000 queries, 80% a cached text plus a new user turn, 10% a cached text
 *       truncated at a random point, 10% unseen text.
 *   <li>The lookup of one cached ~8,000-char conversation, and multi-turn lookups from 2 threads.
 * </ul>
 *
 * <p>A lookup returns references to the cache's arrays; the lookup figures compared with slime
 * include one copy of the matched token ids, logprobs and loss mask into the caller's arrays
 * ({@link Sink}), as slime's lookup returns them concatenated. {@code multiTurnLookupOnly} is the
 * bare lookup and {@code multiTurnLookupNewArrays} reads the match into three new arrays.
 *
 * <p>Inserts carry token boundaries (as the rollout path does) and are measured into a fresh cache
 * per invocation, so every insert does its real work. Bytes per token are reported by {@link
 * RadixMemoryReport}.
 *
 * <p>Run from the repository root:
 *
 * <pre>
 * ./mvnw -B -q -pl router-benchmarks -am package -DskipTests
 * java -jar router-benchmarks/target/benchmarks.jar RadixCacheBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RadixCacheBenchmark {

  static final int LOOKUPS = 100_000;
  static final long BUDGET = 1L << 40;
  static final int RESIDENT_QUERIES = 100;
  static final int RESIDENT_PROMPTS = 10;

  static RadixTokenCache newCache() {
    return RadixTokenCache.builder().maxCachedTokens(BUDGET).build();
  }

  static RadixTokenCache filled(List<CacheEntry> entries) {
    RadixTokenCache cache = newCache();
    for (CacheEntry e : entries) {
      cache.insert(e);
    }
    return cache;
  }

  /** The multi-turn entries and an empty cache for every invocation. */
  @State(Scope.Benchmark)
  public static class MultiTurnInserts {
    List<CacheEntry> entries = List.of();
    RadixTokenCache cache = newCache();

    @Setup(Level.Trial)
    public void load() {
      entries = RadixWorkloads.multiTurn().inserts();
    }

    @Setup(Level.Invocation)
    public void emptyCache() {
      cache = newCache();
    }
  }

  /**
   * Diagnostic: the multi-turn entries' texts and token ids, for the least any insert has to do.
   * The ids are copies allocated one after the other, more compact in memory than the entries
   * (whose ids lie between their logprobs and token ends), so the floor measured on them is, if
   * anything, lower than the real one.
   */
  @State(Scope.Benchmark)
  public static class MultiTurnEntryData {
    String[] texts = new String[0];
    int[][] tokenIds = new int[0][];
    char[] buffer = new char[0];

    @Setup(Level.Trial)
    public void load() {
      List<CacheEntry> entries = RadixWorkloads.multiTurn().inserts();
      texts = new String[entries.size()];
      tokenIds = new int[entries.size()][];
      int longest = 0;
      for (int i = 0; i < entries.size(); i++) {
        texts[i] = entries.get(i).text();
        tokenIds[i] = entries.get(i).tokenIds();
        longest = Math.max(longest, texts[i].length());
      }
      buffer = new char[longest];
    }
  }

  /**
   * Diagnostic: the multi-turn lookup mix with, for each query, the token ids and logprobs its
   * cached part has (copies of the entry it extends, cut to the matched share of its text; none for
   * unseen text), for the least any lookup with the copy has to do. The arrays are more compact in
   * memory than a cache's nodes, so the floor measured on them is, if anything, too low.
   */
  @State(Scope.Benchmark)
  public static class MultiTurnLookupData {
    String[] queries = new String[0];
    int[][] matchedIds = new int[0][];
    float[][] matchedLogprobs = new float[0][];
    char[] buffer = new char[0];

    @Setup(Level.Trial)
    public void load() {
      RadixWorkloads.Workload w = RadixWorkloads.multiTurn();
      int[] bases = new int[LOOKUPS];
      queries = RadixWorkloads.lookupMix(w.texts(), LOOKUPS, 7, bases);
      matchedIds = new int[LOOKUPS][];
      matchedLogprobs = new float[LOOKUPS][];
      int longest = 0;
      for (int i = 0; i < LOOKUPS; i++) {
        longest = Math.max(longest, queries[i].length());
        if (bases[i] < 0) {
          matchedIds[i] = new int[0];
          matchedLogprobs[i] = new float[0];
          continue;
        }
        CacheEntry base = w.inserts().get(bases[i]);
        int baseChars = base.text().length();
        int matchedChars = Math.min(baseChars, queries[i].length());
        int tokens = (int) ((long) base.tokenIds().length * matchedChars / baseChars);
        matchedIds[i] = Arrays.copyOf(base.tokenIds(), tokens);
        float[] logprobs = base.logprobs();
        matchedLogprobs[i] = logprobs == null ? new float[tokens] : Arrays.copyOf(logprobs, tokens);
      }
      buffer = new char[longest];
    }
  }

  /** The flat entries and an empty cache for every invocation. */
  @State(Scope.Benchmark)
  public static class FlatInserts {
    List<CacheEntry> entries = List.of();
    RadixTokenCache cache = newCache();

    @Setup(Level.Trial)
    public void load() {
      entries = RadixWorkloads.flat().inserts();
    }

    @Setup(Level.Invocation)
    public void emptyCache() {
      cache = newCache();
    }
  }

  /** A cache holding the multi-turn workload and the lookup mix over it. */
  @State(Scope.Benchmark)
  public static class MultiTurnLookups {
    RadixTokenCache cache = newCache();
    String[] queries = new String[0];

    @Setup(Level.Trial)
    public void load() {
      RadixWorkloads.Workload w = RadixWorkloads.multiTurn();
      cache = filled(w.inserts());
      queries = RadixWorkloads.lookupMix(w.texts(), LOOKUPS, 7);
    }
  }

  /**
   * Diagnostic: the multi-turn cache looked up with only {@value #RESIDENT_QUERIES} distinct queries
   * of the same mix, so the queries and the nodes they reach stay in the CPU caches. Shows what a
   * lookup costs when its data does not come from main memory.
   */
  @State(Scope.Benchmark)
  public static class ResidentLookups {
    RadixTokenCache cache = newCache();
    String[] queries = new String[0];

    @Setup(Level.Trial)
    public void load() {
      RadixWorkloads.Workload w = RadixWorkloads.multiTurn();
      cache = filled(w.inserts());
      queries = Arrays.copyOf(RadixWorkloads.lookupMix(w.texts(), LOOKUPS, 7), RESIDENT_QUERIES);
    }
  }

  /**
   * Diagnostic: the multi-turn shape with {@value #RESIDENT_PROMPTS} prompts ({@code 17 x} that many
   * inserts, about 1 MB of entries), inserted into a fresh cache per invocation, so entries and tree
   * stay in the CPU caches.
   */
  @State(Scope.Benchmark)
  public static class ResidentInserts {
    List<CacheEntry> entries = List.of();
    RadixTokenCache cache = newCache();

    @Setup(Level.Trial)
    public void load() {
      entries = RadixWorkloads.multiTurn(RESIDENT_PROMPTS, 42).inserts();
    }

    @Setup(Level.Invocation)
    public void emptyCache() {
      cache = newCache();
    }
  }

  /** A cache holding the flat workload and the lookup mix over it. */
  @State(Scope.Benchmark)
  public static class FlatLookups {
    RadixTokenCache cache = newCache();
    String[] queries = new String[0];

    @Setup(Level.Trial)
    public void load() {
      RadixWorkloads.Workload w = RadixWorkloads.flat();
      cache = filled(w.inserts());
      queries = RadixWorkloads.lookupMix(w.texts(), LOOKUPS, 8);
    }
  }

  /** The multi-turn cache plus one cached ~8,000-char conversation, looked up with a new turn. */
  @State(Scope.Benchmark)
  public static class LongLookup {
    RadixTokenCache cache = newCache();
    String query = "";

    @Setup(Level.Trial)
    public void load() {
      cache = filled(RadixWorkloads.multiTurn().inserts());
      List<String> turns = RadixWorkloads.longConversation(8_000, 99);
      for (int i = 0; i < turns.size(); i++) {
        String text = turns.get(i);
        int start = i == 0 ? 0 : turns.get(i - 1).length();
        cache.insert(RadixWorkloads.entry(text, start, i));
      }
      query = turns.get(turns.size() - 1);
      PrefixMatch m = cache.lookup(query);
      if (m.matchedLength() != query.length() || query.length() < 8_000) {
        throw new IllegalStateException("the long conversation is not fully cached");
      }
    }
  }

  /** Each thread's position in the query list. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup(Level.Trial)
    public void start() {
      next = ThreadLocalRandom.current().nextInt(LOOKUPS);
    }

    int next() {
      int i = next;
      next = i + 1 == LOOKUPS ? 0 : i + 1;
      return i;
    }
  }

  /**
   * Each thread's arrays that a lookup's tokens are copied into, as a caller that reuses its
   * buffers does. slime's lookup returns the concatenated ids, logprobs and mask, so every lookup
   * figure reported against it includes this copy.
   */
  @State(Scope.Thread)
  public static class Sink {
    int[] ids = new int[4_096];
    float[] logprobs = new float[4_096];
    int[] mask = new int[4_096];

    /** Copies the match's ids, logprobs and loss mask out and returns a value depending on them. */
    long read(PrefixMatch m) {
      int n = m.tokenCount();
      if (n > ids.length) {
        ids = new int[n];
        logprobs = new float[n];
        mask = new int[n];
      }
      m.copyTokenIds(ids, 0);
      m.copyLogprobs(logprobs, 0);
      m.copyLossMask(mask, 0);
      return n == 0 ? 0 : ids[n - 1] + mask[n - 1] + Float.floatToRawIntBits(logprobs[n - 1]);
    }
  }

  /** Inserts per second, multi-turn workload, one thread. */
  @Benchmark
  @OperationsPerInvocation(10_625)
  public long multiTurnInsert(MultiTurnInserts s) {
    long added = 0;
    for (CacheEntry e : s.entries) {
      added += s.cache.insert(e);
    }
    return added;
  }

  /** Inserts per second, flat workload, one thread. */
  @Benchmark
  @OperationsPerInvocation(10_000)
  public long flatInsert(FlatInserts s) {
    long added = 0;
    for (CacheEntry e : s.entries) {
      added += s.cache.insert(e);
    }
    return added;
  }

  /**
   * Lookups per second, multi-turn workload, one thread: the lookup plus one copy of the matched
   * ids, logprobs and loss mask into the caller's arrays.
   */
  @Benchmark
  public long multiTurnLookup(MultiTurnLookups s, Cursor c, Sink sink) {
    return sink.read(s.cache.lookup(s.queries[c.next()]));
  }

  /** Bare lookups per second, multi-turn workload, one thread: the match is not read. */
  @Benchmark
  public PrefixMatch multiTurnLookupOnly(MultiTurnLookups s, Cursor c) {
    return s.cache.lookup(s.queries[c.next()]);
  }

  /**
   * Lookups per second, multi-turn workload, one thread, reading the match into three new arrays
   * ({@code tokenIds()}, {@code logprobs()}, {@code lossMask()}).
   */
  @Benchmark
  public int multiTurnLookupNewArrays(MultiTurnLookups s, Cursor c) {
    PrefixMatch m = s.cache.lookup(s.queries[c.next()]);
    return m.tokenIds().length + m.logprobs().length + m.lossMask().length;
  }

  /** Diagnostic: multi-turn lookups (with the copy) over 100 distinct, cache-resident queries. */
  @Benchmark
  public long multiTurnLookupResident(ResidentLookups s, Cursor c, Sink sink) {
    return sink.read(s.cache.lookup(s.queries[c.next() % RESIDENT_QUERIES]));
  }

  /** Diagnostic: multi-turn inserts of 10 prompts' entries (170), cache-resident. */
  @Benchmark
  @OperationsPerInvocation(17 * RESIDENT_PROMPTS)
  public long multiTurnInsertResident(ResidentInserts s) {
    long added = 0;
    for (CacheEntry e : s.entries) {
      added += s.cache.insert(e);
    }
    return added;
  }

  /**
   * Diagnostic: the floor under {@link #multiTurnInsert}. Whatever its data structure, an insert
   * must read the entry's whole text (to compare the part the cache holds and store the rest) and
   * the token ids of the part the cache holds (a stretch is shared only when text and ids agree).
   * This reads each entry's text into a buffer, as the insert does, and sums all its token ids,
   * with no tree at all: entries per second that no insert can exceed on this machine.
   */
  @Benchmark
  @OperationsPerInvocation(10_625)
  public long multiTurnEntryReadFloor(MultiTurnEntryData s) {
    long sum = 0;
    char[] buffer = s.buffer;
    for (int i = 0; i < s.texts.length; i++) {
      String text = s.texts[i];
      text.getChars(0, text.length(), buffer, 0);
      int idSum = buffer[text.length() - 1];
      for (int id : s.tokenIds[i]) {
        idSum += id; // an int reduction, which the JIT vectorises
      }
      sum += idSum;
    }
    return sum;
  }

  /**
   * Diagnostic: the floor under {@link #multiTurnLookup}. Whatever its data structure, a lookup
   * must read the query (to compare it with the cached text) and, to give back what matched, copy
   * the matched token ids and logprobs. This reads each query into a buffer, as the lookup does, and
   * copies the ids and logprobs its cached part has into the caller's arrays, with no tree at all:
   * lookups per second that no cache can exceed on this machine (the loss mask is left out).
   */
  @Benchmark
  public long multiTurnLookupReadFloor(MultiTurnLookupData s, Cursor c, Sink sink) {
    int i = c.next();
    String query = s.queries[i];
    query.getChars(0, query.length(), s.buffer, 0);
    int[] ids = s.matchedIds[i];
    float[] logprobs = s.matchedLogprobs[i];
    if (ids.length > sink.ids.length) {
      sink.ids = new int[ids.length];
      sink.logprobs = new float[ids.length];
    }
    System.arraycopy(ids, 0, sink.ids, 0, ids.length);
    System.arraycopy(logprobs, 0, sink.logprobs, 0, logprobs.length);
    return s.buffer[query.length() - 1] + (ids.length == 0 ? 0 : sink.ids[ids.length - 1]);
  }

  /** Lookups (with the copy) per second, multi-turn workload, two reader threads (total). */
  @Benchmark
  @Threads(2)
  public long multiTurnLookupTwoThreads(MultiTurnLookups s, Cursor c, Sink sink) {
    return sink.read(s.cache.lookup(s.queries[c.next()]));
  }

  /** Lookups (with the copy) per second, flat workload, one thread. */
  @Benchmark
  public long flatLookup(FlatLookups s, Cursor c, Sink sink) {
    return sink.read(s.cache.lookup(s.queries[c.next()]));
  }

  /** Latency of looking up one cached ~8,000-char conversation and copying its tokens out. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long lookup8kChars(LongLookup s, Sink sink) {
    return sink.read(s.cache.lookup(s.query));
  }
}
