package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import org.jspecify.annotations.Nullable;

/**
 * Typed, null-safe reads from JSON trees. A missing field or JSON {@code null} gives the default; a
 * field of the wrong type throws {@link JsonShapeException} naming its path.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonNodes {

  private JsonNodes() {}

  /**
   * The field's value unless it is missing or JSON null.
   *
   * @param obj the object (any node; non-objects have no fields)
   * @param field the field name
   * @return the value, or null
   */
  public static @Nullable JsonNode field(@Nullable JsonNode obj, String field) {
    if (obj == null) {
      return null;
    }
    JsonNode value = obj.get(field);
    return value == null || value.isNull() || value.isMissingNode() ? null : value;
  }

  /**
   * A string field.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the string, or null when absent
   * @throws JsonShapeException if the field is not a string
   */
  public static @Nullable String string(@Nullable JsonNode obj, String field, String path) {
    JsonNode value = field(obj, field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw wrongType(path, field, "a string", value);
    }
    return value.textValue();
  }

  /**
   * A scalar field read as text: strings as they are, numbers and booleans printed.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the text, or null when absent
   * @throws JsonShapeException if the field is an object or an array
   */
  public static @Nullable String scalarText(@Nullable JsonNode obj, String field, String path) {
    JsonNode value = field(obj, field);
    if (value == null) {
      return null;
    }
    if (!value.isValueNode()) {
      throw wrongType(path, field, "a string", value);
    }
    return value.asText();
  }

  /**
   * An integer field.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the value, or null when absent
   * @throws JsonShapeException if the field is not an integer in int range
   */
  public static @Nullable Integer integer(@Nullable JsonNode obj, String field, String path) {
    JsonNode value = field(obj, field);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw wrongType(path, field, "an integer", value);
    }
    return value.intValue();
  }

  /**
   * An integer field with a default.
   *
   * @param obj the object
   * @param field the field name
   * @param dflt the value when absent
   * @param path the object's path, for messages
   * @return the value
   * @throws JsonShapeException if the field is not an integer
   */
  public static int integer(@Nullable JsonNode obj, String field, int dflt, String path) {
    Integer value = integer(obj, field, path);
    return value == null ? dflt : value;
  }

  /**
   * A non-negative count field, 0 when absent.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the count
   * @throws JsonShapeException if the field is not a non-negative integer
   */
  public static int count(@Nullable JsonNode obj, String field, String path) {
    int value = integer(obj, field, 0, path);
    if (value < 0) {
      throw new JsonShapeException(path + "." + field + " must be >= 0, but was " + value);
    }
    return value;
  }

  /**
   * An object field.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the object, or null when absent
   * @throws JsonShapeException if the field is not an object
   */
  public static @Nullable JsonNode object(@Nullable JsonNode obj, String field, String path) {
    JsonNode value = field(obj, field);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      throw wrongType(path, field, "an object", value);
    }
    return value;
  }

  /**
   * An array field.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the array, or null when absent
   * @throws JsonShapeException if the field is not an array
   */
  public static @Nullable JsonNode array(@Nullable JsonNode obj, String field, String path) {
    JsonNode value = field(obj, field);
    if (value == null) {
      return null;
    }
    if (!value.isArray()) {
      throw wrongType(path, field, "an array", value);
    }
    return value;
  }

  /**
   * An array of token ids; empty when absent.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the ids
   * @throws JsonShapeException if the field is not an array of non-negative integers
   */
  public static TokenIds tokenIds(@Nullable JsonNode obj, String field, String path) {
    JsonNode array = array(obj, field, path);
    if (array == null || array.isEmpty()) {
      return TokenIds.empty();
    }
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw new JsonShapeException(
            path + "." + field + "[" + i + "] must be a token id, but was " + describe(id));
      }
      ids[i] = id.intValue();
    }
    return TokenIds.of(ids);
  }

  /**
   * SGLang logprob tuples {@code [[logprob|null, token_id, text|null], ...]} as logprobs, NaN for
   * null; empty when absent.
   *
   * @param obj the object
   * @param field the field name
   * @param path the object's path, for messages
   * @return the logprobs
   * @throws JsonShapeException if an entry is not such a tuple
   */
  public static TokenLogprobs logprobTuples(@Nullable JsonNode obj, String field, String path) {
    JsonNode array = array(obj, field, path);
    if (array == null || array.isEmpty()) {
      return TokenLogprobs.empty();
    }
    double[] values = new double[array.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode entry = array.get(i);
      JsonNode lp = entry.isArray() && !entry.isEmpty() ? entry.get(0) : null;
      if (lp == null || !(lp.isNull() || lp.isNumber())) {
        throw new JsonShapeException(
            path + "." + field + "[" + i + "] must be [logprob, token_id, text], but was "
                + describe(entry));
      }
      values[i] = lp.isNull() ? Double.NaN : lp.doubleValue();
    }
    return TokenLogprobs.of(values);
  }

  private static JsonShapeException wrongType(
      String path, String field, String expected, JsonNode value) {
    return new JsonShapeException(
        path + "." + field + " must be " + expected + ", but was " + describe(value));
  }

  /**
   * Names a node's JSON type, for messages; never its content.
   *
   * @param node the node
   * @return a type name such as {@code "an object"}
   */
  public static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case BINARY -> "binary data";
      case MISSING -> "missing";
    };
  }
}
