package io.flexroute;

import java.util.Objects;

/**
 * A function call made by the model, as OpenAI's {@code tool_calls} entries describe it.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the call id that the tool's answer refers to
 * @param name the function name
 * @param arguments the arguments as a JSON string, as the model produced it
 */
public record ToolCall(String id, String name, String arguments) {

  /**
   * Validates the call.
   *
   * @param id the call id that the tool's answer refers to
   * @param name the function name
   * @param arguments the arguments as a JSON string, as the model produced it
   * @throws NullPointerException if a field is null
   */
  public ToolCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arguments, "arguments");
  }

  /** Without the arguments, which can carry user data and must not reach logs. */
  @Override
  public String toString() {
    return "ToolCall{id=" + id + ", name=" + name + ", argumentChars=" + arguments.length() + "}";
  }
}
