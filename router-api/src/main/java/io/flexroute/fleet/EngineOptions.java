package io.flexroute.fleet;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/** Checks the extra body fields that weight-update requests pass through to the engine. */
final class EngineOptions {

  private EngineOptions() {}

  /**
   * Checks an option and returns the value to keep: the value itself, or for a number of a
   * mutable or unusual type (AtomicLong, a JSON library's lazily parsed number) its value as a
   * BigDecimal, so that changing it later cannot change a built request.
   *
   * @throws IllegalArgumentException if the name is blank or the value is not a string, a finite
   *     number or a boolean
   */
  static Object checked(String name, Object value) {
    check(name, value);
    if (value instanceof Number n && !isPlainNumber(n)) {
      return new BigDecimal(n.toString());
    }
    return value;
  }

  private static boolean isPlainNumber(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Double || n instanceof Float
        || n instanceof Short || n instanceof Byte || n instanceof BigInteger
        || n instanceof BigDecimal;
  }

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
      if (!isPlainNumber(n)) {
        try {
          new BigDecimal(n.toString());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "option " + name + " must be finite, but was a " + n.getClass().getName() + " " + n);
        }
        return;
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
