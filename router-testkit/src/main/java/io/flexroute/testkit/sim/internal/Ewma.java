package io.flexroute.testkit.sim.internal;

/**
 * An exponentially weighted moving average of nanosecond durations, as the router keeps per worker:
 * the first sample sets it, each later one moves it by {@link #ALPHA} of the difference.
 *
 * <p>Not thread-safe; simulations run on one thread.
 */
final class Ewma {

  /** The weight of each new sample (the router's). */
  static final double ALPHA = 0.2;

  private long value;

  long get() {
    return value;
  }

  void record(long sampleNanos) {
    long sample = Math.max(1, sampleNanos);
    value = value == 0 ? sample : (long) (value + ALPHA * (sample - value));
  }
}
