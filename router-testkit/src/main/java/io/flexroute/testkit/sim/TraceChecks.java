package io.flexroute.testkit.sim;

import java.util.Objects;

/** Argument checks shared by the trace settings. Stateless. */
final class TraceChecks {

  private TraceChecks() {}

  static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", but was " + value);
    }
    return value;
  }

  static IntRange positive(String name, IntRange range) {
    Objects.requireNonNull(range, name);
    if (range.min() < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, but was " + range);
    }
    return range;
  }

  static double rate(String name, double perSecond) {
    if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException(name + " must be >= 0 and finite, but was " + perSecond);
    }
    return perSecond;
  }
}
