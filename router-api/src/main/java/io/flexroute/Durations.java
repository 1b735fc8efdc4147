package io.flexroute;

import java.time.Duration;
import java.util.Objects;

/** Validation helpers for the duration settings of builders. */
final class Durations {

  /**
   * The longest duration a setting accepts (3,650 days): beyond any real timeout or interval, and
   * short enough that the router's arithmetic in nanoseconds (sums with the clock, doublings,
   * backoff growth) cannot overflow, which values such as {@code ChronoUnit.FOREVER} would make
   * it do deep inside a request.
   */
  static final Duration MAX = Duration.ofDays(3650);

  private Durations() {}

  static Duration positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, but was " + value);
    }
    return atMostMax(value, field);
  }

  static Duration nonNegative(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, but was " + value);
    }
    return atMostMax(value, field);
  }

  static Duration atMostMax(Duration value, String field) {
    if (value.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(
          field + " must be at most 3650 days, but was " + value
              + " (use a long finite duration for \"no limit\")");
    }
    return value;
  }

  static int atLeast(int value, int min, String field) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ", but was " + value);
    }
    return value;
  }
}
