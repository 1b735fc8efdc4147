package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionRequest;
import io.flexroute.OpenAiRequest;
import io.flexroute.TokenIds;
import io.flexroute.ToolCall;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Writes chat request bodies with Jackson's streaming generator: the one definition of a chat
 * body's fields. {@link OpenAiCodec#encodeChat} writes them straight to bytes when it can; the tree
 * path takes the same writer's output as a tree to merge extra fields into.
 *
 * <p>Straight to bytes only when that gives the tree path's bytes: not with a caller's own {@code
 * ObjectMapper} (whose settings apply through the tree), nor when an {@code extraBody} field names a
 * field the body already has (which replaces or merges into it in place).
 *
 * <p>Stateless and thread-safe.
 */
final class OpenAiBodyWriter {

  /** Every top-level field a chat or completion body may hold before its extra fields. */
  private static final Set<String> MODELLED =
      Set.of(
          "model", "messages", "prompt", "tools", "max_tokens", "temperature", "top_p", "n", "stop", "seed",
          "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "stream",
          "stream_options", "rid", "request_id");

  private final JsonCodec json;

  /**
   * Creates the writer.
   *
   * @param json the codec, which hands out generators
   */
  OpenAiBodyWriter(JsonCodec json) {
    this.json = json;
  }

  /**
   * The body of a chat completion call, written directly when that gives the tree path's bytes.
   *
   * @param request the request
   * @param flavor the worker's flavour
   * @param requestId the call's request id
   * @param stream whether to stream
   * @return the body, or null when the tree path must write it
   */
  byte @Nullable [] chat(ChatRequest request, ApiFlavor flavor, String requestId, boolean stream) {
    if (!writesDirectly(request)) {
      return null;
    }
    return json.writeDirect(g -> writeChat(g, request, flavor, requestId, stream, true));
  }

  /**
   * The body of a text completion call, written directly when that gives the tree path's bytes.
   *
   * @param request the request
   * @param flavor the worker's flavour
   * @param requestId the call's request id
   * @param stream whether to stream
   * @return the body, or null when the tree path must write it
   */
  byte @Nullable [] completion(
      CompletionRequest request, ApiFlavor flavor, String requestId, boolean stream) {
    if (!writesDirectly(request)) {
      return null;
    }
    return json.writeDirect(g -> writeCompletion(g, request, flavor, requestId, stream, true));
  }

  private boolean writesDirectly(OpenAiRequest request) {
    return json.writesDirectly(request.extraBody(), MODELLED, OpenAiCodec.RESERVED);
  }

  /**
   * Writes a chat body: the one definition of its fields and their order, for both paths.
   *
   * @param g the generator
   * @param request the request
   * @param flavor the worker's flavour, which decides the request id field
   * @param requestId the call's request id
   * @param stream whether to stream
   * @param withExtras whether to append the request's extra fields (only when none of them names
   *     a modelled field; the tree path merges them itself)
   * @throws IOException if writing fails
   */
  void writeChat(
      JsonGenerator g,
      ChatRequest request,
      ApiFlavor flavor,
      String requestId,
      boolean stream,
      boolean withExtras)
      throws IOException {
    g.writeStartObject();
    if (request.model() != null) {
      g.writeStringField("model", request.model());
    }
    g.writeArrayFieldStart("messages");
    for (ChatMessage m : request.messages()) {
      writeMessage(g, m);
    }
    g.writeEndArray();
    if (!request.tools().isEmpty()) {
      g.writeFieldName("tools");
      json.writeValue(g, request.tools());
    }
    writeSampling(g, request);
    if (request.logprobs() != null) {
      g.writeBooleanField("logprobs", request.logprobs());
    }
    if (request.topLogprobs() != null) {
      g.writeNumberField("top_logprobs", request.topLogprobs());
    }
    writeTail(g, request, flavor, requestId, stream, withExtras);
    g.writeEndObject();
  }

  /**
   * Writes a text completion body: the one definition of its fields and their order, for both
   * paths.
   *
   * @param g the generator
   * @param request the request
   * @param flavor the worker's flavour, which decides the request id field
   * @param requestId the call's request id
   * @param stream whether to stream
   * @param withExtras whether to append the request's extra fields
   * @throws IOException if writing fails
   */
  void writeCompletion(
      JsonGenerator g,
      CompletionRequest request,
      ApiFlavor flavor,
      String requestId,
      boolean stream,
      boolean withExtras)
      throws IOException {
    g.writeStartObject();
    if (request.model() != null) {
      g.writeStringField("model", request.model());
    }
    TokenIds promptIds = request.promptTokenIds();
    if (request.prompt() != null) {
      JsonText.writeField(g, "prompt", request.prompt());
    } else if (promptIds != null) {
      g.writeFieldName("prompt");
      g.writeArray(promptIds.toArray(), 0, promptIds.size());
    }
    writeSampling(g, request);
    if (request.logprobs() != null) {
      g.writeNumberField("logprobs", request.logprobs());
    }
    writeTail(g, request, flavor, requestId, stream, withExtras);
    g.writeEndObject();
  }

  /** The fields every body ends with: streaming, the request id, the extra fields. */
  private void writeTail(
      JsonGenerator g,
      OpenAiRequest request,
      ApiFlavor flavor,
      String requestId,
      boolean stream,
      boolean withExtras)
      throws IOException {
    g.writeBooleanField("stream", stream);
    if (stream && request.includeUsage()) {
      g.writeObjectFieldStart("stream_options");
      g.writeBooleanField("include_usage", true);
      g.writeEndObject();
    }
    switch (flavor) {
      case SGLANG -> g.writeStringField("rid", requestId);
      case VLLM -> g.writeStringField("request_id", requestId);
      case OPENAI -> {
        // Plain OpenAI servers take the id from the X-Request-Id header only.
      }
    }
    if (withExtras) {
      for (Map.Entry<String, Object> e : request.extraBody().entrySet()) {
        if (!OpenAiCodec.RESERVED.contains(e.getKey())) {
          g.writeFieldName(e.getKey());
          json.writeValue(g, e.getValue());
        }
      }
    }
  }

  private static void writeMessage(JsonGenerator g, ChatMessage m) throws IOException {
    g.writeStartObject();
    g.writeStringField("role", m.role());
    if (m.content() != null) {
      JsonText.writeField(g, "content", m.content());
    }
    if (m.name() != null) {
      g.writeStringField("name", m.name());
    }
    if (m.toolCallId() != null) {
      g.writeStringField("tool_call_id", m.toolCallId());
    }
    if (!m.toolCalls().isEmpty()) {
      g.writeArrayFieldStart("tool_calls");
      for (ToolCall call : m.toolCalls()) {
        g.writeStartObject();
        g.writeStringField("id", call.id());
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", call.name());
        JsonText.writeField(g, "arguments", call.arguments());
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void writeSampling(JsonGenerator g, OpenAiRequest request) throws IOException {
    if (request.maxTokens() != null) {
      g.writeNumberField("max_tokens", request.maxTokens());
    }
    if (request.temperature() != null) {
      g.writeNumberField("temperature", request.temperature());
    }
    if (request.topP() != null) {
      g.writeNumberField("top_p", request.topP());
    }
    if (request.n() != null) {
      g.writeNumberField("n", request.n());
    }
    if (!request.stop().isEmpty()) {
      g.writeArrayFieldStart("stop");
      for (String s : request.stop()) {
        g.writeString(s);
      }
      g.writeEndArray();
    }
    if (request.seed() != null) {
      g.writeNumberField("seed", request.seed());
    }
    if (request.presencePenalty() != null) {
      g.writeNumberField("presence_penalty", request.presencePenalty());
    }
    if (request.frequencyPenalty() != null) {
      g.writeNumberField("frequency_penalty", request.frequencyPenalty());
    }
  }
}
