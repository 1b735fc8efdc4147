package io.flexroute.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free exponentially weighted moving average of nanosecond durations.
 *
 * <p>The first sample sets the average; later ones move it by {@code ALPHA} of the difference.
 */
final class Ewma {

  /** The weight of each new sample: the average follows roughly the last ten samples. */
  static final double ALPHA = 0.2;

  private final AtomicLong value = new AtomicLong();

  long get() {
    return value.get();
  }

  void record(long sampleNanos) {
    long sample = Math.max(1, sampleNanos);
    long prev;
    long next;
    do {
      prev = value.get();
      next = prev == 0 ? sample : (long) (prev + ALPHA * (sample - prev));
    } while (!value.compareAndSet(prev, next));
  }
}
