package io.flexroute.testkit.worker.internal;

import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stand-in for SGLang's radix cache: remembers the token sequences of recent requests and reports
 * how much of a new prompt they already cover.
 *
 * <p>Each request is remembered once: its prompt when it is admitted, replaced by prompt plus
 * output when it finishes. The oldest requests are forgotten beyond the capacity.
 */
final class PrefixCache {

  /** The outcome of admitting a prompt: how much of it was cached, and its cache entry. */
  record Admission(Entry entry, int cachedTokens) {}

  /** The remembered tokens of one request. */
  static final class Entry {
    private volatile int[] ids;

    Entry(int[] ids) {
      this.ids = ids;
    }
  }

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long promptTokens;
  private long cachedTokens;

  PrefixCache(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Returns how many leading tokens of {@code prompt} are cached (at most
   * {@code prompt.length - 1}) and remembers the prompt through the returned entry.
   */
  Admission admit(int[] prompt) {
    Entry entry = new Entry(prompt);
    lock.lock();
    try {
      int longest = 0;
      for (Entry known : entries) {
        longest = Math.max(longest, commonPrefix(known.ids, prompt));
      }
      int cached = Math.max(0, Math.min(longest, prompt.length - 1));
      promptTokens += prompt.length;
      cachedTokens += cached;
      if (capacity > 0) {
        entries.addLast(entry);
        while (entries.size() > capacity) {
          entries.removeFirst();
        }
      }
      return new Admission(entry, cached);
    } finally {
      lock.unlock();
    }
  }

  /** Replaces what an admitted request is remembered by, typically with prompt plus output. */
  void complete(Entry entry, int[] ids) {
    entry.ids = ids;
  }

  void clear() {
    lock.lock();
    try {
      entries.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Returns cached prompt tokens over all prompt tokens admitted so far, 0 before any. */
  double hitRate() {
    lock.lock();
    try {
      return promptTokens == 0 ? 0.0 : (double) cachedTokens / promptTokens;
    } finally {
      lock.unlock();
    }
  }

  private static int commonPrefix(int[] a, int[] b) {
    int limit = Math.min(a.length, b.length);
    int i = 0;
    while (i < limit && a[i] == b[i]) {
      i++;
    }
    return i;
  }
}
