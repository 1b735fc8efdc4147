package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.FinishReason;
import io.flexroute.TextCompletion;
import io.flexroute.TokenUsage;
import io.flexroute.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps the OpenAI-compatible {@code /v1/chat/completions} and {@code /v1/completions} endpoints as
 * SGLang, vLLM and other servers serve them: request bodies, results and stream chunks.
 *
 * <p>Chat requests send {@code max_tokens} for every flavour: SGLang, vLLM and most
 * OpenAI-compatible servers accept it, while {@code max_completion_tokens} is not universal.
 * Callers that need the newer name leave {@code maxTokens} unset and pass it with {@code
 * extraBody}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class OpenAiCodec {

  /** Body fields that {@code extraBody} may not replace. */
  static final Set<String> RESERVED = Set.of("stream");

  private final JsonCodec json;
  private final OpenAiFastPath fastPath;
  private final OpenAiBodyWriter bodyWriter;

  /**
   * Creates the codec.
   *
   * @param json the JSON codec
   */
  public OpenAiCodec(JsonCodec json) {
    this.json = json;
    this.fastPath = new OpenAiFastPath(json);
    this.bodyWriter = new OpenAiBodyWriter(json);
  }

  /**
   * The streaming reader of answers of the usual shape, which the tree-based decoders here back
   * up; {@link #decodeChat} and {@link #decodeCompletion} try it first.
   *
   * @return the parser
   */
  OpenAiFastPath fastPath() {
    return fastPath;
  }

  /**
   * The JSON body of a chat completion call.
   *
   * @param request the request
   * @param flavor the worker's flavour, which decides the request id field
   * @param requestId the call's request id
   * @param stream whether to stream
   * @return the body
   */
  public byte[] encodeChat(
      ChatRequest request, ApiFlavor flavor, String requestId, boolean stream) {
    byte[] direct = bodyWriter.chat(request, flavor, requestId, stream);
    return direct != null ? direct : encodeChatTree(request, flavor, requestId, stream);
  }

  /**
   * {@link #encodeChat} through a tree: the body without its extra fields, written by the same
   * writer, then the extras merged into it (replacing or merging into modelled fields), written by
   * the codec's mapper.
   */
  byte[] encodeChatTree(ChatRequest request, ApiFlavor flavor, String requestId, boolean stream) {
    ObjectNode body =
        json.treeOf(g -> bodyWriter.writeChat(g, request, flavor, requestId, stream, false));
    json.mergeExtra(body, request.extraBody(), RESERVED);
    return json.write(body);
  }

  /**
   * The JSON body of a text completion call.
   *
   * @param request the request
   * @param flavor the worker's flavour, which decides the request id field
   * @param requestId the call's request id
   * @param stream whether to stream
   * @return the body
   */
  public byte[] encodeCompletion(
      CompletionRequest request, ApiFlavor flavor, String requestId, boolean stream) {
    byte[] direct = bodyWriter.completion(request, flavor, requestId, stream);
    if (direct != null) {
      return direct;
    }
    ObjectNode body =
        json.treeOf(
            g -> bodyWriter.writeCompletion(g, request, flavor, requestId, stream, false));
    json.mergeExtra(body, request.extraBody(), RESERVED);
    return json.write(body);
  }

  /**
   * Reads a chat completion.
   *
   * @param bytes the answer
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the completion
   * @throws JsonShapeException if the answer has the wrong shape
   */
  public ChatCompletion decodeChat(byte[] bytes, String requestId, String workerId) {
    ChatCompletion plain = fastPath.chatCompletion(bytes, requestId, workerId);
    return plain != null ? plain : decodeChatTree(bytes, requestId, workerId);
  }

  /** {@link #decodeChat} through a tree: every rule, every error message. */
  ChatCompletion decodeChatTree(byte[] bytes, String requestId, String workerId) {
    JsonNode root = resultObject(bytes, "chat completion");
    List<ChatCompletion.Choice> choices = new ArrayList<>();
    JsonNode array = JsonNodes.array(root, "choices", "$");
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        String path = choicePath(i);
        JsonNode choice = element(array, i, path);
        JsonNode message = JsonNodes.object(choice, "message", path);
        String messagePath = path + ".message";
        String role = JsonNodes.string(message, "role", messagePath);
        String content = content(message, messagePath);
        List<ToolCall> toolCalls = toolCalls(message, messagePath);
        if (content == null && toolCalls.isEmpty()) {
          content = ""; // a message needs content or tool calls; an empty answer has neither
        }
        ChatMessage chatMessage =
            new ChatMessage(
                role == null || role.isBlank() ? "assistant" : role,
                content,
                JsonNodes.string(message, "name", messagePath),
                null,
                toolCalls);
        choices.add(
            new ChatCompletion.Choice(
                JsonNodes.integer(choice, "index", i, path),
                chatMessage,
                reasoning(message, messagePath),
                finishReason(choice, path)));
      }
    }
    return new ChatCompletion(
        id(root),
        requestId,
        workerId,
        JsonNodes.string(root, "model", "$"),
        choices,
        usage(root),
        weightVersion(root));
  }

  /**
   * Reads a text completion.
   *
   * @param bytes the answer
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the completion
   * @throws JsonShapeException if the answer has the wrong shape
   */
  public TextCompletion decodeCompletion(byte[] bytes, String requestId, String workerId) {
    TextCompletion plain = fastPath.textCompletion(bytes, requestId, workerId);
    return plain != null ? plain : decodeCompletionTree(bytes, requestId, workerId);
  }

  /** {@link #decodeCompletion} through a tree: every rule, every error message. */
  TextCompletion decodeCompletionTree(byte[] bytes, String requestId, String workerId) {
    JsonNode root = resultObject(bytes, "completion");
    return new TextCompletion(
        id(root),
        requestId,
        workerId,
        JsonNodes.string(root, "model", "$"),
        textChoices(root),
        usage(root),
        weightVersion(root));
  }

  /**
   * Reads one chat stream chunk.
   *
   * @param root the event's JSON object
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the chunk
   * @throws JsonShapeException if the chunk has the wrong shape
   */
  ChatChunk decodeChatChunk(JsonNode root, String requestId, String workerId) {
    List<ChatChunk.Delta> deltas = new ArrayList<>();
    JsonNode array = JsonNodes.array(root, "choices", "$");
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        String path = choicePath(i);
        JsonNode choice = element(array, i, path);
        JsonNode delta = JsonNodes.object(choice, "delta", path);
        String deltaPath = i < DELTA_PATHS.length ? DELTA_PATHS[i] : path + ".delta";
        deltas.add(
            new ChatChunk.Delta(
                JsonNodes.integer(choice, "index", i, path),
                JsonNodes.string(delta, "role", deltaPath),
                content(delta, deltaPath),
                reasoning(delta, deltaPath),
                toolCallDeltas(delta, deltaPath),
                finishReason(choice, path)));
      }
    }
    return new ChatChunk(
        id(root), requestId, workerId, JsonNodes.string(root, "model", "$"), deltas, usage(root));
  }

  /**
   * Reads one text completion stream chunk.
   *
   * @param root the event's JSON object
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the chunk
   * @throws JsonShapeException if the chunk has the wrong shape
   */
  CompletionChunk decodeCompletionChunk(JsonNode root, String requestId, String workerId) {
    return new CompletionChunk(
        id(root),
        requestId,
        workerId,
        JsonNodes.string(root, "model", "$"),
        textChoices(root),
        usage(root));
  }

  private JsonNode resultObject(byte[] bytes, String what) {
    JsonNode root = json.parse(bytes, what + " response");
    if (!root.isObject()) {
      throw new JsonShapeException(
          what + " response must be a JSON object, but was " + JsonNodes.describe(root));
    }
    if (EventJson.isError(root)) {
      throw new ErrorReportException(what + " response", root);
    }
    return root;
  }

  // The paths that error messages name, built once for the first choices rather than per chunk.
  private static final String[] CHOICE_PATHS = new String[8];
  private static final String[] DELTA_PATHS = new String[CHOICE_PATHS.length];

  static {
    for (int i = 0; i < CHOICE_PATHS.length; i++) {
      CHOICE_PATHS[i] = "$.choices[" + i + "]";
      DELTA_PATHS[i] = CHOICE_PATHS[i] + ".delta";
    }
  }

  private static String choicePath(int i) {
    return i < CHOICE_PATHS.length ? CHOICE_PATHS[i] : "$.choices[" + i + "]";
  }

  private static JsonNode element(JsonNode array, int i, String path) {
    JsonNode node = array.get(i);
    if (!node.isObject()) {
      throw new JsonShapeException(
          path + " must be an object, but was " + JsonNodes.describe(node));
    }
    return node;
  }

  private static String id(JsonNode root) {
    String id = JsonNodes.scalarText(root, "id", "$");
    return id == null ? "" : id;
  }

  private static List<TextCompletion.Choice> textChoices(JsonNode root) {
    List<TextCompletion.Choice> choices = new ArrayList<>();
    JsonNode array = JsonNodes.array(root, "choices", "$");
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        String path = choicePath(i);
        JsonNode choice = element(array, i, path);
        String text = JsonNodes.string(choice, "text", path);
        choices.add(
            new TextCompletion.Choice(
                JsonNodes.integer(choice, "index", i, path),
                text == null ? "" : text,
                finishReason(choice, path)));
      }
    }
    return choices;
  }

  /** Message content: a string, or (from some servers) an array of text parts. */
  private static @Nullable String content(@Nullable JsonNode message, String path) {
    JsonNode content = JsonNodes.field(message, "content");
    if (content == null) {
      return null;
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < content.size(); i++) {
        String text = JsonNodes.string(content.get(i), "text", path + ".content[" + i + "]");
        if (text != null) {
          sb.append(text);
        }
      }
      return sb.toString();
    }
    throw new JsonShapeException(
        path + ".content must be a string, but was " + JsonNodes.describe(content));
  }

  /** SGLang and older vLLM say {@code reasoning_content}; newer vLLM says {@code reasoning}. */
  private static @Nullable String reasoning(@Nullable JsonNode message, String path) {
    String reasoning = JsonNodes.string(message, "reasoning_content", path);
    return reasoning != null ? reasoning : JsonNodes.string(message, "reasoning", path);
  }

  private static List<ToolCall> toolCalls(@Nullable JsonNode message, String path) {
    JsonNode array = JsonNodes.array(message, "tool_calls", path);
    if (array == null || array.isEmpty()) {
      return List.of();
    }
    List<ToolCall> calls = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String callPath = path + ".tool_calls[" + i + "]";
      JsonNode call = element(array, i, callPath);
      JsonNode function = JsonNodes.object(call, "function", callPath);
      String id = JsonNodes.scalarText(call, "id", callPath);
      String name = JsonNodes.string(function, "name", callPath + ".function");
      String arguments = arguments(function);
      calls.add(
          new ToolCall(
              id == null ? "" : id, name == null ? "" : name, arguments == null ? "" : arguments));
    }
    return calls;
  }

  private static List<ChatChunk.ToolCallDelta> toolCallDeltas(
      @Nullable JsonNode delta, String path) {
    JsonNode array = JsonNodes.array(delta, "tool_calls", path);
    if (array == null || array.isEmpty()) {
      return List.of();
    }
    List<ChatChunk.ToolCallDelta> calls = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String callPath = path + ".tool_calls[" + i + "]";
      JsonNode call = element(array, i, callPath);
      JsonNode function = JsonNodes.object(call, "function", callPath);
      calls.add(
          new ChatChunk.ToolCallDelta(
              JsonNodes.integer(call, "index", i, callPath),
              JsonNodes.scalarText(call, "id", callPath),
              JsonNodes.string(function, "name", callPath + ".function"),
              arguments(function)));
    }
    return calls;
  }

  /** Tool arguments are a JSON string; a server that sends an object gets it written back. */
  private static @Nullable String arguments(@Nullable JsonNode function) {
    JsonNode arguments = JsonNodes.field(function, "arguments");
    if (arguments == null) {
      return null;
    }
    return arguments.isTextual() ? arguments.textValue() : arguments.toString();
  }

  /**
   * The choice's finish reason, with the matched stop token or string that SGLang ({@code
   * matched_stop}) or vLLM ({@code stop_reason}) report.
   */
  private static @Nullable FinishReason finishReason(JsonNode choice, String path) {
    String raw = JsonNodes.string(choice, "finish_reason", path);
    if (raw == null) {
      return null;
    }
    FinishReason base = FinishReason.of(raw);
    JsonNode matched = JsonNodes.field(choice, "matched_stop");
    if (matched == null) {
      matched = JsonNodes.field(choice, "stop_reason");
    }
    if (matched == null) {
      return base;
    }
    Integer tokenId =
        matched.isIntegralNumber() && matched.canConvertToInt() ? matched.intValue() : null;
    String text = matched.isTextual() ? matched.textValue() : null;
    return new FinishReason(base.type(), raw, tokenId, text, null);
  }

  private static @Nullable TokenUsage usage(JsonNode root) {
    JsonNode usage = JsonNodes.object(root, "usage", "$");
    if (usage == null) {
      return null;
    }
    JsonNode details = JsonNodes.object(usage, "prompt_tokens_details", "$.usage");
    return new TokenUsage(
        JsonNodes.count(usage, "prompt_tokens", "$.usage"),
        JsonNodes.count(usage, "completion_tokens", "$.usage"),
        JsonNodes.count(details, "cached_tokens", "$.usage.prompt_tokens_details"));
  }

  /** SGLang reports the weights that served the request in {@code metadata.weight_version}. */
  private static @Nullable String weightVersion(JsonNode root) {
    return JsonNodes.scalarText(
        JsonNodes.object(root, "metadata", "$"), "weight_version", "$.metadata");
  }
}
