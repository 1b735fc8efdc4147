package io.flexroute.fleet;

import java.util.Objects;

/** Checks the extra body fields that weight-update requests pass through to the engine. */
final class EngineOptions {

  private EngineOptions() {}

  /**
   * Checks an option.
   *
   * @throws IllegalArgumentException if the name is blank or the value is not a string, a finite
   *     number or a boolean
   */
  static void check(String name, Object value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isBlank()) {
      throw new IllegalArgumentException("option name must not be blank");
    }
    if (value instanceof String || value instanceof Boolean) {
      return;
    }
    if (value instanceof Number n) {
      if (!(n instanceof Integer || n instanceof Long || n instanceof Double
          || n instanceof Float)) {
        // A mutable number (AtomicLong) would let the caller change a built request.
        throw new IllegalArgumentException(
            "option " + name + " must be an Integer, Long, Double or Float, but was a "
                + n.getClass().getName());
      }
      if ((n instanceof Double d && !Double.isFinite(d))
          || (n instanceof Float f && !Float.isFinite(f))) {
        throw new IllegalArgumentException("option " + name + " must be finite, but was " + n);
      }
      return;
    }
    throw new IllegalArgumentException(
        "option " + name + " must be a string, number or boolean, but was a "
            + value.getClass().getName());
  }

  static String requireText(String value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }
}
