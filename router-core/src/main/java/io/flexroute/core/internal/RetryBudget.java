package io.flexroute.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * A router-wide cap on retries: over a sliding window of ten one-second buckets, retries may not
 * exceed {@code ratio} times the requests plus {@code minPerSecond} per second. It keeps retries
 * from multiplying the load on a fleet that is already failing.
 *
 * <p>Lock-free. Each second has its own bucket object with a request and a retry counter; a new
 * second replaces the bucket in its slot with a compare-and-set, so no count made in a second is
 * ever reset by another thread opening that second (a count still made in a replaced, older bucket
 * belongs to a second outside the window). Every request is counted, so the current second's
 * bucket is remembered and a request in it costs one comparison and one increment, not a division.
 */
final class RetryBudget {

  private static final int BUCKETS = 10;
  private static final long BUCKET_NANOS = 1_000_000_000L;

  /** The counts of one second. */
  private static final class Bucket {
    final long second;
    final long startNanos;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong retries = new AtomicLong();

    Bucket(long second) {
      this.second = second;
      this.startNanos = second * BUCKET_NANOS;
    }
  }

  private final double ratio;
  private final int minPerSecond;
  private final AtomicReferenceArray<Bucket> buckets = new AtomicReferenceArray<>(BUCKETS);
  /** The bucket of the second last seen; null before the first count. */
  private volatile @Nullable Bucket current;

  RetryBudget(double ratio, int minPerSecond) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
  }

  /**
   * Counts a request.
   *
   * @param nowNanos the request's start, from {@link System#nanoTime()}
   */
  void recordRequest(long nowNanos) {
    bucket(nowNanos).requests.incrementAndGet();
  }

  /**
   * Takes one retry from the budget if it allows one.
   *
   * @return {@code true} if the retry may go ahead
   */
  boolean tryRetry() {
    long now = System.nanoTime();
    Bucket bucket = bucket(now);
    long requests = 0;
    long retries = 0;
    for (int i = 0; i < BUCKETS; i++) {
      Bucket b = buckets.get(i);
      if (b != null && bucket.second - b.second < BUCKETS) {
        requests += b.requests.get();
        retries += b.retries.get();
      }
    }
    if (retries >= (long) (ratio * requests) + (long) minPerSecond * BUCKETS) {
      return false;
    }
    bucket.retries.incrementAndGet();
    return true;
  }

  private Bucket bucket(long nanos) {
    Bucket c = current;
    if (c != null) {
      long into = nanos - c.startNanos;
      if (into >= 0 && into < BUCKET_NANOS) {
        return c;
      }
    }
    long second = Math.floorDiv(nanos, BUCKET_NANOS);
    int slot = (int) Math.floorMod(second, (long) BUCKETS);
    while (true) {
      Bucket b = buckets.get(slot);
      if (b != null && b.second >= second) {
        if (b.second == second) {
          remember(b);
          return b;
        }
        // A time so late that a second ten or more seconds newer took its slot: it is outside
        // the window, and its count goes nowhere.
        return new Bucket(second);
      }
      Bucket fresh = new Bucket(second);
      if (buckets.compareAndSet(slot, b, fresh)) {
        remember(fresh);
        return fresh;
      }
    }
  }

  private void remember(Bucket b) {
    Bucket c = current;
    // Racy but harmless: a thread with an older time may set an older second back, and the next
    // request finds its own bucket in the array.
    if (c == null || c.second < b.second) {
      current = b;
    }
  }
}
