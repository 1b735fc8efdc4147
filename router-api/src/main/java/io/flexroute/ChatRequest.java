package io.flexroute;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI chat completion request ({@code POST /v1/chat/completions}).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * ChatRequest req = ChatRequest.builder()
 *     .model("qwen3-8b")
 *     .message(ChatMessage.system("You are terse."))
 *     .message(ChatMessage.user("Name a prime."))
 *     .maxTokens(64)
 *     .build();
 * }</pre>
 */
public final class ChatRequest extends OpenAiRequest {

  private final List<ChatMessage> messages;
  private final List<Map<String, Object>> tools;
  private final @Nullable Boolean logprobs;
  private final @Nullable Integer topLogprobs;
  private volatile @Nullable String promptText;

  private ChatRequest(Builder b) {
    super(b);
    this.messages = List.copyOf(b.messages);
    List<Map<String, Object>> copied = new ArrayList<>(b.tools.size());
    for (int i = 0; i < b.tools.size(); i++) {
      copied.add(JsonValues.copyOf(b.tools.get(i), "tools[" + i + "]"));
    }
    this.tools = List.copyOf(copied);
    this.logprobs = b.logprobs;
    this.topLogprobs = b.topLogprobs;
  }

  /**
   * Starts a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder initialised with this request's settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    copySamplingTo(b);
    b.messages.addAll(messages);
    b.tools.addAll(tools);
    b.logprobs = logprobs;
    b.topLogprobs = topLogprobs;
    return b;
  }

  @Override
  public Operation operation() {
    return Operation.CHAT;
  }

  /**
   * The contents of the messages, each preceded by its role and followed by a newline. Computed once;
   * strategies use it for prefix affinity, so only its stability across turns matters.
   */
  @Override
  public String promptText() {
    String text = promptText;
    if (text == null) {
      StringBuilder sb = new StringBuilder();
      for (ChatMessage m : messages) {
        sb.append(m.role()).append(": ");
        if (m.content() != null) {
          sb.append(m.content());
        }
        for (ToolCall call : m.toolCalls()) {
          sb.append(' ').append(call.name()).append(call.arguments());
        }
        sb.append('\n');
      }
      text = sb.toString();
      promptText = text;
    }
    return text;
  }

  /**
   * The length of {@link #promptText()}, computed from the messages without assembling the text.
   *
   * @return the length
   */
  @Override
  public int promptTextLength() {
    String text = promptText;
    if (text != null) {
      return text.length();
    }
    int length = 0;
    for (ChatMessage m : messages) {
      length += m.role().length() + 3; // ": " and the line end
      if (m.content() != null) {
        length += m.content().length();
      }
      for (ToolCall call : m.toolCalls()) {
        length += 1 + call.name().length() + call.arguments().length();
      }
    }
    return length;
  }

  @Override
  public @Nullable TokenIds promptTokenIds() {
    return null;
  }

  /** @return the conversation, at least one message */
  public List<ChatMessage> messages() {
    return messages;
  }

  /** @return the tool definitions as JSON objects; empty when none */
  public List<Map<String, Object>> tools() {
    return tools;
  }

  /** @return whether to return output logprobs, or null */
  public @Nullable Boolean logprobs() {
    return logprobs;
  }

  /** @return the number of alternatives per position, or null */
  public @Nullable Integer topLogprobs() {
    return topLogprobs;
  }

  /** Describes the request without its messages' content. */
  @Override
  public String toString() {
    return "ChatRequest{" + commonToString() + ", messages=" + messages.size()
        + samplingToString() + "}";
  }

  /** Builds a {@link ChatRequest}. Not thread-safe. */
  public static final class Builder extends OpenAiRequest.Builder<Builder, ChatRequest> {
    private final List<ChatMessage> messages = new ArrayList<>();
    private final List<Map<String, Object>> tools = new ArrayList<>();
    private @Nullable Boolean logprobs;
    private @Nullable Integer topLogprobs;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Appends a message.
     *
     * @param message the message
     * @return this builder
     */
    public Builder message(ChatMessage message) {
      messages.add(Objects.requireNonNull(message, "message"));
      return this;
    }

    /**
     * Appends messages.
     *
     * @param messages the messages
     * @return this builder
     */
    public Builder messages(List<ChatMessage> messages) {
      for (ChatMessage m : messages) {
        message(m);
      }
      return this;
    }

    /**
     * Adds a tool definition, as the OpenAI {@code tools} array holds it (for example {@code
     * {"type":"function","function":{"name":...,"parameters":{...}}}}).
     *
     * @param tool the definition as JSON values
     * @return this builder
     * @throws IllegalArgumentException if it holds a value that is not JSON
     */
    public Builder tool(Map<String, Object> tool) {
      Objects.requireNonNull(tool, "tool");
      JsonValues.check(tool, "tools[" + tools.size() + "]");
      tools.add(new LinkedHashMap<>(tool));
      return this;
    }

    /**
     * Asks for output logprobs.
     *
     * @param logprobs the flag
     * @return this builder
     */
    public Builder logprobs(boolean logprobs) {
      this.logprobs = logprobs;
      return this;
    }

    /**
     * Asks for the top alternatives per position (implies {@code logprobs}).
     *
     * @param k in [0, 20]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder topLogprobs(int k) {
      if (k < 0 || k > 20) {
        throw new IllegalArgumentException("topLogprobs must be in [0, 20], but was " + k);
      }
      this.topLogprobs = k;
      this.logprobs = true;
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the immutable request
     * @throws IllegalArgumentException if there are no messages (field {@code messages})
     */
    @Override
    public ChatRequest build() {
      if (messages.isEmpty()) {
        throw new IllegalArgumentException("messages must not be empty: a prompt is required");
      }
      return new ChatRequest(this);
    }
  }
}
