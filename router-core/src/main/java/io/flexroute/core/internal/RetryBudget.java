package io.flexroute.core.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A router-wide cap on retries: over a sliding window of ten one-second buckets, retries may not
 * exceed {@code ratio} times the requests plus {@code minPerSecond} per second. It keeps retries
 * from multiplying the load on a fleet that is already failing.
 *
 * <p>Lock-free: each bucket holds a request count and a retry count; a bucket is reset by the first
 * thread that sees its second change. Every request is counted, so the current second's bucket is
 * remembered and a request in it costs one comparison and one increment, not a division.
 */
final class RetryBudget {

  private static final int BUCKETS = 10;
  private static final long BUCKET_NANOS = 1_000_000_000L;

  private final double ratio;
  private final int minPerSecond;
  // Per bucket: [epoch second, requests, retries] at index 3 * bucket.
  private final AtomicLongArray cells = new AtomicLongArray(BUCKETS * 3);

  /** The second last seen and its bucket; replaced whole, so readers never see a torn pair. */
  private record Current(long startNanos, int base) {}

  private volatile Current current;

  RetryBudget(double ratio, int minPerSecond) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.current = new Current(Long.MIN_VALUE / 2, 0); // matches no time: the first call sets it
  }

  /**
   * Counts a request.
   *
   * @param nowNanos the request's start, from {@link System#nanoTime()}
   */
  void recordRequest(long nowNanos) {
    cells.incrementAndGet(bucket(nowNanos) + 1);
  }

  /**
   * Takes one retry from the budget if it allows one.
   *
   * @return {@code true} if the retry may go ahead
   */
  boolean tryRetry() {
    long now = System.nanoTime();
    int current = bucket(now);
    long second = Math.floorDiv(now, BUCKET_NANOS);
    long requests = 0;
    long retries = 0;
    for (int i = 0; i < BUCKETS; i++) {
      int base = i * 3;
      if (second - cells.get(base) < BUCKETS) {
        requests += cells.get(base + 1);
        retries += cells.get(base + 2);
      }
    }
    if (retries >= (long) (ratio * requests) + (long) minPerSecond * BUCKETS) {
      return false;
    }
    cells.incrementAndGet(current + 2);
    return true;
  }

  private int bucket(long nanos) {
    Current c = current;
    long into = nanos - c.startNanos;
    if (into >= 0 && into < BUCKET_NANOS) {
      return c.base;
    }
    long second = Math.floorDiv(nanos, BUCKET_NANOS);
    int base = base(nanos);
    long seen = cells.get(base);
    if (seen != second && cells.compareAndSet(base, seen, second)) {
      cells.set(base + 1, 0);
      cells.set(base + 2, 0);
    }
    // A thread with an older time may set an older second back; the next request moves it on.
    current = new Current(second * BUCKET_NANOS, base);
    return base;
  }

  private static int base(long nanos) {
    return (int) Math.floorMod(Math.floorDiv(nanos, BUCKET_NANOS), (long) BUCKETS) * 3;
  }
}
