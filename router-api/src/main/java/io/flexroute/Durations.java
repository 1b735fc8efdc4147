package io.flexroute;

import java.time.Duration;
import java.util.Objects;

/** Validation helpers for the duration settings of builders. */
final class Durations {

  private Durations() {}

  static Duration positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, but was " + value);
    }
    return value;
  }

  static Duration nonNegative(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, but was " + value);
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
