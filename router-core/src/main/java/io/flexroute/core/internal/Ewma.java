package io.flexroute.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free exponentially weighted moving average of nanosecond durations.
 *
 * <p>The first sample sets the average; later ones move it by {@code ALPHA} of the difference.
 *
 * <p>Thread-safe and lossy: every request of a worker records into its average, so a
 * compare-and-set loop would make concurrent callers retry on one contended cache line. Instead a
 * sample is folded into the value read and written back, and of two records that race one may
 * overwrite the other; the average then skips a sample, which for a smoothing average of noisy
 * latencies is no loss. The value is always one that some sequence of the recorded samples gives.
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
    long prev = value.get();
    long next = prev == 0 ? sample : (long) (prev + ALPHA * (sample - prev));
    if (next != prev) {
      value.lazySet(next);
    }
  }
}
