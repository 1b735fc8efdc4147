package io.flexroute;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Checks and deep-copies the free-form JSON values that requests pass through to workers. */
final class JsonValues {

  private JsonValues() {}

  /** Deeper nesting than any request needs; a value this deep is taken for a cycle. */
  static final int MAX_DEPTH = 64;

  static void check(@Nullable Object value, String field) {
    check(value, field, 0);
  }

  private static void check(@Nullable Object value, String field, int depth) {
    if (value == null || value instanceof String || value instanceof Boolean) {
      return;
    }
    if (value instanceof Number n) {
      if (!isPlainNumber(n)) {
        if (snapshot(n) == null) {
          throw new IllegalArgumentException(
              field + " must be a finite number, but was a " + n.getClass().getName() + " " + n);
        }
        return;
      }
      if ((n instanceof Double d && !Double.isFinite(d))
          || (n instanceof Float f && !Float.isFinite(f))) {
        throw new IllegalArgumentException(field + " must be a finite number, but was " + n);
      }
      return;
    }
    if ((value instanceof Map || value instanceof List) && depth >= MAX_DEPTH) {
      throw new IllegalArgumentException(
          field + " is nested more than " + MAX_DEPTH + " levels deep (or contains itself)");
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new IllegalArgumentException(field + " has a non-string key: " + e.getKey());
        }
        check(e.getValue(), field + "." + key, depth + 1);
      }
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), field + "[" + i + "]", depth + 1);
      }
      return;
    }
    throw new IllegalArgumentException(
        field + " must be a JSON value (string, number, boolean, null, list or map), but was a "
            + value.getClass().getName());
  }

  static Map<String, Object> copyOf(Map<String, Object> map, String field) {
    if (map.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      check(e.getValue(), field + "." + e.getKey());
      copy.put(e.getKey(), deepCopy(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  /** Whether a number is of an immutable type the JSON writers know. */
  static boolean isPlainNumber(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Double || n instanceof Float
        || n instanceof Short || n instanceof Byte || n instanceof BigInteger
        || n instanceof BigDecimal;
  }

  /**
   * The value of a number of another type (AtomicLong, a JSON library's lazily parsed number) as a
   * BigDecimal, so that the caller changing it later cannot change a built request.
   *
   * @return the snapshot, or null when it is not a finite number
   */
  static @Nullable BigDecimal snapshot(Number n) {
    try {
      return new BigDecimal(n.toString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static @Nullable Object deepCopy(@Nullable Object value) {
    if (value instanceof Number n && !isPlainNumber(n)) {
      return snapshot(n);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, @Nullable Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<@Nullable Object> copy = new ArrayList<>(list.size());
      for (Object v : list) {
        copy.add(deepCopy(v));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}
