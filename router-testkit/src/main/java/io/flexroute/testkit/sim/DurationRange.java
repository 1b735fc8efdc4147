package io.flexroute.testkit.sim;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An inclusive range of durations that trace generators draw from uniformly (at nanosecond
 * resolution), such as the time a tool takes to run between two turns.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param min the shortest duration, not negative
 * @param max the longest duration, at least {@code min}
 */
public record DurationRange(Duration min, Duration max) {

  /**
   * Validates the bounds.
   *
   * @param min the shortest duration, not negative
   * @param max the longest duration, at least {@code min}
   * @throws IllegalArgumentException if {@code min} is negative or longer than {@code max}
   */
  public DurationRange {
    Objects.requireNonNull(min, "min");
    Objects.requireNonNull(max, "max");
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "range must satisfy 0 <= min <= max, but was [" + min + ", " + max + "]");
    }
  }

  /**
   * The range {@code [min, max]}.
   *
   * @param min the shortest duration, not negative
   * @param max the longest duration, at least {@code min}
   * @return the range
   * @throws IllegalArgumentException if the bounds are invalid
   */
  public static DurationRange of(Duration min, Duration max) {
    return new DurationRange(min, max);
  }

  /**
   * The range {@code [min, max]} in milliseconds.
   *
   * @param minMillis the shortest duration, not negative
   * @param maxMillis the longest duration, at least {@code minMillis}
   * @return the range
   * @throws IllegalArgumentException if the bounds are invalid
   */
  public static DurationRange ofMillis(long minMillis, long maxMillis) {
    return new DurationRange(Duration.ofMillis(minMillis), Duration.ofMillis(maxMillis));
  }

  /**
   * Draws a duration uniformly.
   *
   * @param random the source of randomness
   * @return a duration in {@code [min, max]}, in nanoseconds
   */
  public long drawNanos(SplittableRandom random) {
    long lo = min.toNanos();
    long hi = max.toNanos();
    return lo == hi ? lo : lo + random.nextLong(hi - lo + 1);
  }

  @Override
  public String toString() {
    return min.equals(max) ? min.toString() : min + "-" + max;
  }
}
