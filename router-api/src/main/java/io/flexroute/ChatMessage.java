package io.flexroute;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message of a chat conversation.
 *
 * <p>Instances are immutable and thread-safe. {@code toString()} never shows the content.
 *
 * @param role {@code system}, {@code user}, {@code assistant}, {@code tool} or another role the
 *     worker accepts
 * @param content the text, or null for an assistant message that only calls tools
 * @param name an optional participant name
 * @param toolCallId for a {@code tool} message, the id of the call it answers
 * @param toolCalls for an {@code assistant} message, the tools it called
 */
public record ChatMessage(
    String role,
    @Nullable String content,
    @Nullable String name,
    @Nullable String toolCallId,
    List<ToolCall> toolCalls) {

  /**
   * Validates the message.
   *
   * @param role {@code system}, {@code user}, {@code assistant}, {@code tool} or another role the
   *     worker accepts
   * @param content the text, or null for an assistant message that only calls tools
   * @param name an optional participant name
   * @param toolCallId for a {@code tool} message, the id of the call it answers
   * @param toolCalls for an {@code assistant} message, the tools it called
   * @throws IllegalArgumentException if the role is blank, or the message has neither content nor
   *     tool calls
   */
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    if (role.isBlank()) {
      throw new IllegalArgumentException("message role must not be blank");
    }
    toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls"));
    if (content == null && toolCalls.isEmpty()) {
      throw new IllegalArgumentException(
          "a '" + role + "' message needs content or tool calls");
    }
  }

  /**
   * A system message.
   *
   * @param content the text
   * @return the message
   */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", Objects.requireNonNull(content, "content"), null, null, List.of());
  }

  /**
   * A user message.
   *
   * @param content the text
   * @return the message
   */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", Objects.requireNonNull(content, "content"), null, null, List.of());
  }

  /**
   * An assistant message.
   *
   * @param content the text
   * @return the message
   */
  public static ChatMessage assistant(String content) {
    return new ChatMessage(
        "assistant", Objects.requireNonNull(content, "content"), null, null, List.of());
  }

  /**
   * An assistant message that calls tools.
   *
   * @param content optional text
   * @param toolCalls the calls, at least one
   * @return the message
   */
  public static ChatMessage assistantToolCalls(@Nullable String content, List<ToolCall> toolCalls) {
    return new ChatMessage("assistant", content, null, null, toolCalls);
  }

  /**
   * A tool result message.
   *
   * @param toolCallId the id of the call it answers
   * @param content the tool's output
   * @return the message
   */
  public static ChatMessage tool(String toolCallId, String content) {
    return new ChatMessage(
        "tool",
        Objects.requireNonNull(content, "content"),
        null,
        Objects.requireNonNull(toolCallId, "toolCallId"),
        List.of());
  }

  /** Shows the role and the content's length, never the content. */
  @Override
  public String toString() {
    return "ChatMessage{role=" + role + ", chars=" + (content == null ? 0 : content.length())
        + ", toolCalls=" + toolCalls.size() + "}";
  }
}
