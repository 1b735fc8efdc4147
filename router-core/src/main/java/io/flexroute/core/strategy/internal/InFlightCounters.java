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
 * The router's in-flight counters, packed: each worker's request count is an int in a shared array
 * (its in-flight prompt tokens a long in a parallel one), so that an exact least-in-flight scan over
 * a {@link CountedCandidates} list reads consecutive ints instead of one object per worker.
 *
 * <p>The storage is a list of fixed chunks of {@value #CHUNK_SLOTS} slots; slots are handed out
 * lowest first, so a fleet that never had more than that many workers at once lives in one chunk. A chunk never moves once
 * allocated (growth adds chunks), so a {@link Cell} keeps its arrays and index for life and its
 * atomic updates can never be lost to a copy.
 *
 * <p>A slot is reused only once its {@link Cell} is unreachable: every writer (a worker's state, and
 * through it every in-flight guard and candidate list) holds the cell, so when the garbage collector
 * finds the cell unreachable nothing can touch the slot any more. That is decided by the collector,
 * not by counting guards, so a request that takes a worker from an old snapshot after the worker is
 * removed still counts on its own slot. The slot is zeroed when it is reused.
 *
 * <p>Thread-safe: the counters are updated with atomic array accesses; allocation is synchronized.
 * Adjacent workers share cache lines, so concurrent updates of different workers may contend on one
 * line: the price of a scan that reads each line once.
 */
public final class InFlightCounters {

  /** Slots per chunk: 1,024 workers' counters, 12 KB. */
  static final int CHUNK_SLOTS = 1024;

  private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private int[][] requestChunks = new int[0][];
  private long[][] tokenChunks = new long[0][];
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
    return new Cell(new int[1], new long[1], 0);
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
    if (chunk >= requestChunks.length) {
      requestChunks = Arrays.copyOf(requestChunks, chunk + 1);
      requestChunks[chunk] = new int[CHUNK_SLOTS];
      tokenChunks = Arrays.copyOf(tokenChunks, chunk + 1);
      tokenChunks[chunk] = new long[CHUNK_SLOTS];
    }
    int index = slot % CHUNK_SLOTS;
    // A reused slot may hold the counts of a guard that was dropped without being released.
    INTS.setVolatile(requestChunks[chunk], index, 0);
    LONGS.setVolatile(tokenChunks[chunk], index, 0L);
    used.set(slot);
    Cell cell = new Cell(requestChunks[chunk], tokenChunks[chunk], index);
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
   * One worker's counters: requests in flight and their prompt tokens. Every method keeps the cell
   * reachable until its access is done, so its slot cannot be reused under a running update.
   * Thread-safe.
   */
  public static final class Cell {

    final int[] requests;
    final long[] tokens;
    final int index;

    Cell(int[] requests, long[] tokens, int index) {
      this.requests = requests;
      this.tokens = tokens;
      this.index = index;
    }

    /** @return the requests in flight */
    public int requests() {
      int value = (int) INTS.getVolatile(requests, index);
      Reference.reachabilityFence(this);
      return value;
    }

    /** @return the prompt tokens of the requests in flight */
    public long tokens() {
      long value = (long) LONGS.getVolatile(tokens, index);
      Reference.reachabilityFence(this);
      return value;
    }

    /**
     * Counts one more request.
     *
     * @param tokens its prompt tokens
     */
    public void acquire(int tokens) {
      INTS.getAndAdd(requests, index, 1);
      LONGS.getAndAdd(this.tokens, index, (long) tokens);
      Reference.reachabilityFence(this);
    }

    /**
     * Counts one more request only while fewer than {@code limit} are in flight.
     *
     * @param tokens its prompt tokens
     * @param limit the most requests allowed in flight
     * @return whether it was counted
     */
    public boolean tryAcquire(int tokens, int limit) {
      try {
        while (true) {
          int current = (int) INTS.getVolatile(requests, index);
          if (current >= limit) {
            return false;
          }
          if (INTS.compareAndSet(requests, index, current, current + 1)) {
            LONGS.getAndAdd(this.tokens, index, (long) tokens);
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
     */
    public void release(int tokens) {
      INTS.getAndAdd(requests, index, -1);
      LONGS.getAndAdd(this.tokens, index, (long) -tokens);
      Reference.reachabilityFence(this);
    }
  }
}
