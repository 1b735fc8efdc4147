package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** Reads and validates request fields, turning bad values into 400s. */
final class Params {

  private Params() {}

  /** Returns the field, or null if it is absent or JSON null. */
  static @Nullable JsonNode field(JsonNode object, String name) {
    JsonNode value = object.get(name);
    return value == null || value.isNull() ? null : value;
  }

  static int intValue(JsonNode object, String name, int fallback) throws RequestException {
    JsonNode value = field(object, name);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw RequestException.badParam(name, name + " must be an integer, got " + value + ".");
    }
    return value.intValue();
  }

  static long longValue(JsonNode object, String name, long fallback) throws RequestException {
    JsonNode value = field(object, name);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw RequestException.badParam(name, name + " must be an integer, got " + value + ".");
    }
    return value.longValue();
  }

  static boolean boolValue(JsonNode object, String name) throws RequestException {
    JsonNode value = field(object, name);
    if (value == null) {
      return false;
    }
    if (!value.isBoolean()) {
      throw RequestException.badParam(name, name + " must be a boolean, got " + value + ".");
    }
    return value.booleanValue();
  }

  static int[] tokenIds(JsonNode array, String name) throws RequestException {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw RequestException.badParam(
            name, name + " must be a list of non-negative integers, got " + id + ".");
      }
      ids[i] = id.intValue();
    }
    return ids;
  }

  /**
   * Checks the sampling values SGLang validates (temperature, top_p, top_k) and the sample count,
   * with SGLang's messages.
   */
  static void checkSampling(JsonNode params) throws RequestException {
    JsonNode temperature = field(params, "temperature");
    if (temperature != null) {
      double value = number(temperature, "temperature");
      if (!Double.isFinite(value) || value < 0) {
        throw RequestException.badParam(
            "temperature", "temperature must be non-negative, got " + value + ".");
      }
    }
    JsonNode topP = field(params, "top_p");
    if (topP != null) {
      double value = number(topP, "top_p");
      if (!(value > 0 && value <= 1)) {
        throw RequestException.badParam("top_p", "top_p must be in (0, 1], got " + value + ".");
      }
    }
    int topK = intValue(params, "top_k", -1);
    if (topK != -1 && topK < 1) {
      throw RequestException.badParam(
          "top_k", "top_k must be -1 (disable), or at least 1, got " + topK + ".");
    }
    if (intValue(params, "n", 1) != 1) {
      throw RequestException.badParam("n", "The fake worker supports only n = 1.");
    }
  }

  private static double number(JsonNode value, String name) throws RequestException {
    if (!value.isNumber()) {
      throw RequestException.badParam(name, name + " must be a number, got " + value + ".");
    }
    return value.doubleValue();
  }

  /** Returns the limit, rejecting a negative one. */
  static int maxTokens(JsonNode object, String name, int fallback) throws RequestException {
    int value = intValue(object, name, fallback);
    if (value < 0) {
      throw RequestException.badParam(name, name + " must be at least 0, got " + value + ".");
    }
    return value;
  }
}
