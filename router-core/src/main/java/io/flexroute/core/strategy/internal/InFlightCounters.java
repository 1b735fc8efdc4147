package io.flexroute.core.strategy.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The router's in-flight counters, packed: each worker's requests in flight and their prompt tokens
 * share one long in a shared array (the requests in the high bits, the tokens in the low ones), so
 * that an exact least-in-flight scan over a {@link CountedCandidates} list reads one long per
 * candidate, and a single comparison of two longs orders two workers by requests, then tokens.
 * Counting a request is one atomic add, which also means a reader never sees the request without
 * its tokens.
 *
 * <p>Limits of the packing: at most {@value #MAX_REQUESTS} requests in flight on one worker (one
 * more is not counted, and the caller treats the worker as at its concurrency limit), and at most
 * {@value #MAX_TOKENS_PER_REQUEST} prompt tokens counted per request (a larger estimate counts as
 * that many), so the token field can never overflow into the request field.
 *
 * <p>The storage is a list of fixed chunks of {@value #CHUNK_SLOTS} slots; slots are handed out
 * lowest first, so a fleet that never had more than that many workers at once lives in one chunk.
 * A chunk never moves once allocated (growth adds chunks), so a {@link Cell} keeps its array and
 * index for life and its atomic updates can never be lost to a copy.
 *
 * <p>A slot is reused only once its {@link Cell} is unreachable: every writer (a worker's state,
 * and through it every in-flight guard and candidate list) holds the cell, so when the garbage
 * collector finds the cell unreachable nothing can touch the slot any more. That is decided by the
 * collector, not by counting guards, so a request that takes a worker from an old snapshot after
 * the worker is removed still counts on its own slot. The slot is zeroed when it is reused.
 *
 * <p>Thread-safe: the counters are updated with atomic array accesses; allocation is synchronized.
 * Adjacent workers share cache lines, so concurrent updates of different workers may contend on one
 * line: the price of a scan that reads each line once.
 */
public final class InFlightCounters {

  /** Slots per chunk: 1,024 workers' counters, 8 KB. */
  static final int CHUNK_SLOTS = 1024;

  /** The low bits of a packed value hold the tokens, the bits above them the requests. */
  static final int TOKEN_BITS = 44;

  /** The packed value of one request with no tokens. */
  static final long ONE_REQUEST = 1L << TOKEN_BITS;

  /** Selects the tokens of a packed value. */
  static final long TOKEN_MASK = ONE_REQUEST - 1;

  /**
   * The most requests counted in flight on one worker. The request field holds twice as many, so
   * that acquirers racing past the limit, each of which takes its count back, cannot carry into the
   * sign bit.
   */
  public static final int MAX_REQUESTS = (1 << 18) - 1;

  /**
   * The most prompt tokens counted for one request: the token field holds this many for every
   * request the request field can hold.
   */
  public static final int MAX_TOKENS_PER_REQUEST = 1 << 25;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private long[][] chunks = new long[0][];
  private final BitSet used = new BitSet();
  private final ReferenceQueue<Cell> unreachable = new ReferenceQueue<>();
  // The phantom references must stay reachable themselves until their cell is collected.
  private final Set<SlotReference> tracked = new HashSet<>();

  /** Creates an empty table; chunks are allocated as slots are needed. */
  public InFlightCounters() {}

  /**
   * A cell outside any table, for a worker state that no router owns (tests, tools).
   *
   * @return a zeroed cell of its own
   */
  public static Cell standalone() {
    return new Cell(new long[1], 0);
  }

  /**
   * Takes a zeroed slot, reusing the slot of a cell that has become unreachable if there is one.
   *
   * @return the cell, which owns the slot until it becomes unreachable
   */
  public synchronized Cell allocate() {
    reclaimUnreachable();
    int slot = used.nextClearBit(0);
    int chunk = slot / CHUNK_SLOTS;
    if (chunk >= chunks.length) {
      chunks = Arrays.copyOf(chunks, chunk + 1);
      chunks[chunk] = new long[CHUNK_SLOTS];
    }
    int index = slot % CHUNK_SLOTS;
    // A reused slot may hold the counts of a guard that was dropped without being released.
    LONGS.setVolatile(chunks[chunk], index, 0L);
    used.set(slot);
    Cell cell = new Cell(chunks[chunk], index);
    tracked.add(new SlotReference(cell, slot, unreachable));
    return cell;
  }
  /**
   * The number of slots held by cells that have not yet been found unreachable.
   *
   * @return the count
   */
  public synchronized int slotsInUse() {
    reclaimUnreachable();
    return used.cardinality();
  }

  /**
   * Waits up to the given time for one more cell to be found unreachable and frees its slot. The
   * table frees such slots by itself when it allocates; this lets tests and tools wait for the
   * collector instead.
   *
   * @param millis the longest wait
   * @return whether a slot was freed
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitReclaim(long millis) throws InterruptedException {
    Reference<? extends Cell> ref = unreachable.remove(millis);
    if (ref == null) {
      return false;
    }
    synchronized (this) {
      free((SlotReference) ref);
    }
    return true;
  }

  private void reclaimUnreachable() {
    Reference<? extends Cell> ref;
    while ((ref = unreachable.poll()) != null) {
      free((SlotReference) ref);
    }
  }

  private void free(SlotReference ref) {
    if (tracked.remove(ref)) {
      used.clear(ref.slot);
    }
  }

  private static final class SlotReference extends PhantomReference<Cell> {
    final int slot;

    SlotReference(Cell cell, int slot, ReferenceQueue<Cell> queue) {
      super(cell, queue);
      this.slot = slot;
    }
  }

  /**
   * The packed value of one request with the given prompt tokens.
   *
   * @throws IllegalArgumentException if tokens is negative
   */
  static long packedRequest(int tokens) {
    if (tokens < 0) {
      throw new IllegalArgumentException(
          "in-flight tokens must not be negative, but were " + tokens);
    }
    return ONE_REQUEST + Math.min(tokens, MAX_TOKENS_PER_REQUEST);
  }

  /**
   * One worker's counters: requests in flight and their prompt tokens, packed in one long. Every
   * method keeps the cell reachable until its access is done, so its slot cannot be reused under a
   * running update. Thread-safe.
   */
  public static final class Cell {

    final long[] counts;
    final int index;

    Cell(long[] counts, int index) {
      this.counts = counts;
      this.index = index;
    }

    /** @return the requests in flight */
    public int requests() {
      return (int) (packed() >>> TOKEN_BITS);
    }

    /**
     * The prompt tokens in flight, each request's counted up to {@link #MAX_TOKENS_PER_REQUEST}.
     *
     * @return the tokens
     */
    public long tokens() {
      return packed() & TOKEN_MASK;
    }

    private long packed() {
      long value = (long) LONGS.getVolatile(counts, index);
      Reference.reachabilityFence(this);
      return value;
    }

    /**
     * Counts one more request, unless {@link #MAX_REQUESTS} are already in flight.
     *
     * @param tokens its prompt tokens
     * @return whether it was counted
     * @throws IllegalArgumentException if tokens is negative
     */
    public boolean acquire(int tokens) {
      long delta = packedRequest(tokens);
      try {
        long before = (long) LONGS.getAndAdd(counts, index, delta);
        if ((before >>> TOKEN_BITS) >= MAX_REQUESTS) {
          LONGS.getAndAdd(counts, index, -delta);
          return false;
        }
        return true;
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    /**
     * Counts one more request only while fewer than {@code limit} (and fewer than {@link
     * #MAX_REQUESTS}) are in flight.
     *
     * @param tokens its prompt tokens
     * @param limit the most requests allowed in flight
     * @return whether it was counted
     * @throws IllegalArgumentException if tokens is negative
     */
    public boolean tryAcquire(int tokens, int limit) {
      long delta = packedRequest(tokens);
      try {
        while (true) {
          long current = (long) LONGS.getVolatile(counts, index);
          long requests = current >>> TOKEN_BITS;
          if (requests >= limit || requests >= MAX_REQUESTS) {
            return false;
          }
          if (LONGS.compareAndSet(counts, index, current, current + delta)) {
            return true;
          }
        }
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    /**
     * Counts one request fewer.
     *
     * @param tokens its prompt tokens, as acquired
     * @throws IllegalArgumentException if tokens is negative
     */
    public void release(int tokens) {
      LONGS.getAndAdd(counts, index, -packedRequest(tokens));
      Reference.reachabilityFence(this);
    }
  }
}
