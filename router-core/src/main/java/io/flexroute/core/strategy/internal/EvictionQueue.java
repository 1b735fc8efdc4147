package io.flexroute.core.strategy.internal;

import org.jspecify.annotations.Nullable;

/**
 * One worker's eviction order in a {@link PrefixTree}: a first-in first-out ring of (node, stamp)
 * pairs, one pair per insert that ended at the node. Pairs sit in two parallel arrays rather than
 * as linked entry objects, so that trimming reads them sequentially (the CPU prefetches the next
 * ones) instead of missing the cache twice per evicted node, and an insert allocates nothing.
 *
 * <p>Thread-safe: every method holds the queue's monitor for a few array accesses only. Many
 * threads offer; polling and compaction are done by one thread at a time (the tenant's trimming
 * lock), which the queue does not need for its own consistency.
 */
final class EvictionQueue {

  private static final int INITIAL_CAPACITY = 64;

  private PrefixTree.Node[] nodes = new PrefixTree.Node[INITIAL_CAPACITY];
  private long[] stamps = new long[INITIAL_CAPACITY];
  private int head;
  private int size;

  /** The node and stamp of a polled pair; owned by the polling thread. */
  static final class Polled {
    PrefixTree.@Nullable Node node;
    long stamp;
  }

  /**
   * Appends a pair.
   *
   * @param node the node an insert ended at
   * @param stamp the insert's stamp
   * @return the number of pairs queued, this one included
   */
  synchronized int offer(PrefixTree.Node node, long stamp) {
    if (size == nodes.length) {
      grow(size + 1);
    }
    int at = index(size);
    nodes[at] = node;
    stamps[at] = stamp;
    return ++size;
  }

  /**
   * Removes the oldest pair into {@code out}.
   *
   * @param out where to put it
   * @return false when the queue is empty
   */
  synchronized boolean poll(Polled out) {
    if (size == 0) {
      return false;
    }
    out.node = nodes[head];
    out.stamp = stamps[head];
    nodes[head] = null;
    head = index(1);
    size--;
    return true;
  }

  /** @return the number of pairs */
  synchronized int size() {
    return size;
  }

  /**
   * Removes every pair, oldest first: the caller filters them and gives the survivors back with
   * {@link #prepend}.
   *
   * @param out receives the pairs' nodes and stamps in {@code out.nodes[0..n)} and {@code
   *     out.stamps[0..n)}
   * @return n, the number of pairs removed
   */
  synchronized int takeAll(Batch out) {
    int n = size;
    out.ensure(n);
    for (int i = 0; i < n; i++) {
      int at = index(i);
      out.nodes[i] = nodes[at];
      out.stamps[i] = stamps[at];
      nodes[at] = null;
    }
    head = 0;
    size = 0;
    if (nodes.length > INITIAL_CAPACITY && n < nodes.length / 4) {
      nodes = new PrefixTree.Node[INITIAL_CAPACITY];
      stamps = new long[INITIAL_CAPACITY];
    }
    return n;
  }

  /**
   * Puts pairs back in front of those offered since {@link #takeAll}, keeping their order.
   *
   * @param batch the pairs in {@code [0, n)}, oldest first
   * @param n how many
   */
  synchronized void prepend(Batch batch, int n) {
    if (size + n > nodes.length) {
      grow(size + n);
    }
    int start = head - n;
    head = start < 0 ? start + nodes.length : start;
    for (int i = 0; i < n; i++) {
      int at = index(i);
      nodes[at] = batch.nodes[i];
      stamps[at] = batch.stamps[i];
    }
    size += n;
  }

  private int index(int offset) {
    int at = head + offset;
    return at >= nodes.length ? at - nodes.length : at;
  }

  private void grow(int needed) {
    int capacity = Math.max(needed, nodes.length * 2);
    PrefixTree.Node[] n2 = new PrefixTree.Node[capacity];
    long[] s2 = new long[capacity];
    for (int i = 0; i < size; i++) {
      int at = index(i);
      n2[i] = nodes[at];
      s2[i] = stamps[at];
    }
    nodes = n2;
    stamps = s2;
    head = 0;
  }

  /** Pairs taken out for filtering; owned by one thread. */
  static final class Batch {
    PrefixTree.Node[] nodes = new PrefixTree.Node[0];
    long[] stamps = new long[0];

    void ensure(int n) {
      if (nodes.length < n) {
        nodes = new PrefixTree.Node[n];
        stamps = new long[n];
      }
    }
  }
}
