package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.CompletionChunk;
import io.flexroute.FinishReason;
import io.flexroute.TextCompletion;
import io.flexroute.TokenUsage;
import io.flexroute.ToolCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads OpenAI-compatible answers (stream chunks and whole results) straight from their UTF-8
 * bytes with Jackson's streaming parser: no string, no tree. These are the transport's hottest
 * decoding paths: a stream is dozens of small events per answer.
 *
 * <p>It takes only the plain, well-formed shape and gives up (returns null) on anything else: an
 * error report, a field of an unexpected type, content given as parts, malformed JSON. The caller
 * then decodes the answer through the tree path ({@link OpenAiCodec}), which holds every rule and
 * names every problem, so both paths give the same result or the same error for any input. Fields
 * are read as the tree path reads them (a later duplicate replaces an earlier one, unknown fields
 * are skipped).
 *
 * <p>Stateless and thread-safe.
 */
final class OpenAiFastPath {

  /** What a document is read as. */
  private enum Kind {
    CHAT_CHUNK,
    TEXT_CHUNK,
    CHAT_RESULT,
    TEXT_RESULT;

    boolean chat() {
      return this == CHAT_CHUNK || this == CHAT_RESULT;
    }

    boolean result() {
      return this == CHAT_RESULT || this == TEXT_RESULT;
    }
  }

  private final JsonCodec json;

  /**
   * Creates the reader.
   *
   * @param json the codec whose reader settings parsers take
   */
  OpenAiFastPath(JsonCodec json) {
    this.json = json;
  }

  /**
   * Reads a chat stream chunk.
   *
   * @param event the event
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the chunk, or null when the event needs the tree path
   */
  @Nullable ChatChunk chat(SseEvent event, String requestId, String workerId) {
    return parse(
        event.dataBytes(), event.dataOffset(), event.dataLength(), requestId, workerId,
        Kind.CHAT_CHUNK);
  }

  /**
   * Reads a text completion stream chunk.
   *
   * @param event the event
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the chunk, or null when the event needs the tree path
   */
  @Nullable CompletionChunk completion(SseEvent event, String requestId, String workerId) {
    return parse(
        event.dataBytes(), event.dataOffset(), event.dataLength(), requestId, workerId,
        Kind.TEXT_CHUNK);
  }

  /**
   * Reads a chat completion.
   *
   * @param bytes the answer
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the completion, or null when the answer needs the tree path
   */
  @Nullable ChatCompletion chatCompletion(byte[] bytes, String requestId, String workerId) {
    return parse(bytes, 0, bytes.length, requestId, workerId, Kind.CHAT_RESULT);
  }

  /**
   * Reads a text completion.
   *
   * @param bytes the answer
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the completion, or null when the answer needs the tree path
   */
  @Nullable TextCompletion textCompletion(byte[] bytes, String requestId, String workerId) {
    return parse(bytes, 0, bytes.length, requestId, workerId, Kind.TEXT_RESULT);
  }

  @SuppressWarnings("unchecked")
  private <T> @Nullable T parse(
      byte[] bytes, int offset, int length, String requestId, String workerId, Kind kind) {
    try (JsonParser p = json.parser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String id = null;
      String model = null;
      String weightVersion = null;
      List<?> choices = List.of();
      TokenUsage usage = null;
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "id" -> {
            if (!isStringOrNull(value)) {
              return null; // a number or a boolean id is printed by the tree path
            }
            id = p.getValueAsString();
          }
          case "model" -> {
            if (!isStringOrNull(value)) {
              return null;
            }
            model = p.getValueAsString();
          }
          case "choices" -> {
            if (value == JsonToken.VALUE_NULL) {
              choices = List.of();
            } else if (value == JsonToken.START_ARRAY) {
              choices = switch (kind) {
                case CHAT_CHUNK -> chatChoices(p);
                case CHAT_RESULT -> messageChoices(p);
                default -> textChoices(p);
              };
              if (choices == null) {
                return null;
              }
            } else {
              return null;
            }
          }
          case "usage" -> {
            if (value == JsonToken.VALUE_NULL) {
              usage = null;
            } else if (value == JsonToken.START_OBJECT) {
              usage = usage(p);
              if (usage == null) {
                return null;
              }
            } else {
              return null;
            }
          }
          case "metadata" -> {
            if (!kind.result()) {
              p.skipChildren();
            } else if (value == JsonToken.VALUE_NULL) {
              weightVersion = null;
            } else if (value == JsonToken.START_OBJECT) {
              weightVersion = null;
              for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (!"weight_version".equals(field)) {
                  p.skipChildren();
                } else if (isStringOrNull(v)) {
                  weightVersion = p.getValueAsString();
                } else {
                  return null; // a number is printed by the tree path
                }
              }
            } else {
              return null;
            }
          }
          case "error" -> {
            if (value != JsonToken.VALUE_NULL) {
              return null; // an error report
            }
          }
          case "object" -> {
            if (value == JsonToken.VALUE_STRING && "error".equals(p.getText())) {
              return null; // a flat error report
            }
            p.skipChildren();
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      String answerId = id == null ? "" : id;
      return (T)
          switch (kind) {
            case CHAT_CHUNK -> new ChatChunk(
                answerId, requestId, workerId, model, (List<ChatChunk.Delta>) choices, usage);
            case TEXT_CHUNK -> new CompletionChunk(
                answerId, requestId, workerId, model, (List<TextCompletion.Choice>) choices,
                usage);
            case CHAT_RESULT -> new ChatCompletion(
                answerId, requestId, workerId, model, (List<ChatCompletion.Choice>) choices,
                usage, weightVersion);
            case TEXT_RESULT -> new TextCompletion(
                answerId, requestId, workerId, model, (List<TextCompletion.Choice>) choices,
                usage, weightVersion);
          };
    } catch (IOException | RuntimeException e) {
      // Malformed JSON, or a value the result types refuse: the tree path says what is wrong.
      return null;
    }
  }

  /** The choices of a chat result, the parser on their array's start; null to give up. */
  @SuppressWarnings("unchecked") // the message's tool calls are whole calls when read in full
  private static @Nullable List<ChatCompletion.Choice> messageChoices(JsonParser p)
      throws IOException {
    List<ChatCompletion.Choice> choices = new ArrayList<>(1);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      Choice choice = new Choice(choices.size());
      Message message = new Message();
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (!"message".equals(name)) {
          if (!choice.read(p, name, value)) {
            return null;
          }
          continue;
        }
        message = new Message();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        if (value != JsonToken.START_OBJECT || !message.read(p, true)) {
          return null;
        }
      }
      String content = message.content;
      if (content == null && message.toolCalls.isEmpty()) {
        content = ""; // a message needs content or tool calls; an empty answer has neither
      }
      ChatMessage chatMessage =
          new ChatMessage(
              message.role == null || message.role.isBlank() ? "assistant" : message.role,
              content,
              message.name,
              null,
              (List<ToolCall>) message.toolCalls);
      choices.add(
          new ChatCompletion.Choice(
              choice.index, chatMessage, message.reasoning(), choice.finishReason()));
    }
    return choices;
  }

  /** The choices of a chat chunk, the parser on their array's start; null to give up. */
  private static @Nullable List<ChatChunk.Delta> chatChoices(JsonParser p) throws IOException {
    List<ChatChunk.Delta> deltas = new ArrayList<>(1);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      ChatChunk.Delta delta = chatChoice(p, deltas.size());
      if (delta == null) {
        return null;
      }
      deltas.add(delta);
    }
    return deltas;
  }

  @SuppressWarnings("unchecked") // the delta's tool calls are deltas when not read in full
  private static ChatChunk.@Nullable Delta chatChoice(JsonParser p, int position)
      throws IOException {
    Choice choice = new Choice(position);
    Message delta = new Message();
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (!"delta".equals(name)) {
        if (!choice.read(p, name, value)) {
          return null;
        }
        continue;
      }
      delta = new Message();
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      if (value != JsonToken.START_OBJECT || !delta.read(p, false)) {
        return null;
      }
    }
    return new ChatChunk.Delta(
        choice.index,
        delta.role,
        delta.content,
        delta.reasoning(),
        (List<ChatChunk.ToolCallDelta>) delta.toolCalls,
        choice.finishReason());
  }

  /** A chat result's tool calls, the parser on their array's start; null to give up. */
  private static @Nullable List<ToolCall> toolCalls(JsonParser p) throws IOException {
    List<ToolCall> calls = new ArrayList<>(1);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      String id = null;
      Function function = new Function();
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if ("id".equals(field)) {
          if (!isStringOrNull(v)) {
            return null;
          }
          id = p.getValueAsString();
        } else if ("function".equals(field)) {
          function = new Function();
          if (!function.read(p, v)) {
            return null;
          }
        } else {
          p.skipChildren();
        }
      }
      calls.add(
          new ToolCall(
              id == null ? "" : id,
              function.name == null ? "" : function.name,
              function.arguments == null ? "" : function.arguments));
    }
    return calls;
  }

  private static @Nullable List<ChatChunk.ToolCallDelta> toolCallDeltas(JsonParser p)
      throws IOException {
    List<ChatChunk.ToolCallDelta> calls = new ArrayList<>(1);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      int index = calls.size();
      String id = null;
      Function function = new Function();
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "index" -> {
            Integer i = intOrNull(p, v);
            if (i == null && v != JsonToken.VALUE_NULL) {
              return null;
            }
            index = i == null ? calls.size() : i;
          }
          case "id" -> {
            if (!isStringOrNull(v)) {
              return null;
            }
            id = p.getValueAsString();
          }
          case "function" -> {
            function = new Function();
            if (!function.read(p, v)) {
              return null;
            }
          }
          default -> p.skipChildren();
        }
      }
      calls.add(new ChatChunk.ToolCallDelta(index, id, function.name, function.arguments));
    }
    return calls;
  }

  /** The choices of a text completion chunk, the parser on their array's start; null to give up. */
  private static @Nullable List<TextCompletion.Choice> textChoices(JsonParser p)
      throws IOException {
    List<TextCompletion.Choice> choices = new ArrayList<>(1);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      Choice choice = new Choice(choices.size());
      String text = null;
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("text".equals(name)) {
          if (!isStringOrNull(value)) {
            return null;
          }
          text = p.getValueAsString();
        } else if (!choice.read(p, name, value)) {
          return null;
        }
      }
      choices.add(
          new TextCompletion.Choice(choice.index, text == null ? "" : text, choice.finishReason()));
    }
    return choices;
  }

  /** The usage object, the parser on its start; null to give up. */
  private static @Nullable TokenUsage usage(JsonParser p) throws IOException {
    int prompt = 0;
    int completion = 0;
    int cached = 0;
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      switch (name) {
        case "prompt_tokens" -> prompt = count(p, value);
        case "completion_tokens" -> completion = count(p, value);
        case "prompt_tokens_details" -> {
          cached = 0;
          if (value == JsonToken.VALUE_NULL) {
            continue;
          }
          if (value != JsonToken.START_OBJECT) {
            return null;
          }
          for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if ("cached_tokens".equals(field)) {
              cached = count(p, v);
            } else {
              p.skipChildren();
            }
          }
        }
        default -> p.skipChildren();
      }
      if (prompt < 0 || completion < 0 || cached < 0) {
        return null;
      }
    }
    return new TokenUsage(prompt, completion, cached);
  }

  /** A non-negative count, 0 for null, -1 for anything else (the tree path names the problem). */
  private static int count(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return 0;
    }
    Integer i = intOrNull(p, value);
    return i == null || i < 0 ? -1 : i;
  }

  private static @Nullable Integer intOrNull(JsonParser p, JsonToken value) throws IOException {
    return value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
        ? p.getIntValue()
        : null;
  }

  private static boolean isStringOrNull(JsonToken value) {
    return value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL;
  }

  /** A chat result's message or a chunk's delta. */
  private static final class Message {
    @Nullable String role;
    @Nullable String content;
    @Nullable String name;
    @Nullable String reasoningContent;
    @Nullable String reasoning;
    List<?> toolCalls = List.of();

    /**
     * Reads the object's fields, the parser on its start; false to give up.
     *
     * @param full whether tool calls are whole (a result) or deltas (a chunk)
     */
    boolean read(JsonParser p, boolean full) throws IOException {
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if ("tool_calls".equals(field)) {
          if (v == JsonToken.VALUE_NULL) {
            toolCalls = List.of();
          } else if (v == JsonToken.START_ARRAY) {
            List<?> calls = full ? toolCalls(p) : toolCallDeltas(p);
            if (calls == null) {
              return false;
            }
            toolCalls = calls;
          } else {
            return false;
          }
          continue;
        }
        boolean known =
            switch (field) {
              case "role", "content", "reasoning_content", "reasoning" -> true;
              case "name" -> full; // deltas carry no name
              default -> false;
            };
        if (!known) {
          p.skipChildren();
          continue;
        }
        if (!isStringOrNull(v)) {
          return false; // content as an array of parts, or a wrong type
        }
        String text = p.getValueAsString();
        switch (field) {
          case "role" -> role = text;
          case "content" -> content = text;
          case "name" -> name = text;
          case "reasoning_content" -> reasoningContent = text;
          default -> reasoning = text;
        }
      }
      return true;
    }

    /** SGLang and older vLLM say {@code reasoning_content}; newer vLLM says {@code reasoning}. */
    @Nullable String reasoning() {
      return reasoningContent != null ? reasoningContent : reasoning;
    }
  }

  /** A tool call's function: its name and its arguments, given as a JSON string. */
  private static final class Function {
    @Nullable String name;
    @Nullable String arguments;

    /** Reads the function's value; false to give up. */
    boolean read(JsonParser p, JsonToken value) throws IOException {
      if (value == JsonToken.VALUE_NULL) {
        return true;
      }
      if (value != JsonToken.START_OBJECT) {
        return false;
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (!"name".equals(field) && !"arguments".equals(field)) {
          p.skipChildren();
          continue;
        }
        if (!isStringOrNull(v)) {
          return false; // arguments given as an object are written back by the tree path
        }
        if ("name".equals(field)) {
          name = p.getValueAsString();
        } else {
          arguments = p.getValueAsString();
        }
      }
      return true;
    }
  }

  /** The fields every choice shares: its index and its finish reason with the matched stop. */
  private static final class Choice {
    int index;
    @Nullable String finishReason;
    /** {@code matched_stop} (SGLang) and {@code stop_reason} (vLLM): an int, a string or null. */
    @Nullable Object matchedStop;
    @Nullable Object stopReason;

    Choice(int position) {
      this.index = position;
    }

    /** Reads one field of the choice; false to give up. Unknown fields are skipped. */
    boolean read(JsonParser p, String name, JsonToken value) throws IOException {
      switch (name) {
        case "index" -> {
          Integer i = intOrNull(p, value);
          if (i == null && value != JsonToken.VALUE_NULL) {
            return false;
          }
          // A null index means the position, as an absent one does.
          if (i != null) {
            index = i;
          }
        }
        case "finish_reason" -> {
          if (!isStringOrNull(value)) {
            return false;
          }
          finishReason = p.getValueAsString();
        }
        case "matched_stop", "stop_reason" -> {
          Object stop;
          if (value == JsonToken.VALUE_NULL) {
            stop = null;
          } else if (value == JsonToken.VALUE_STRING) {
            stop = p.getText();
          } else {
            stop = intOrNull(p, value);
            if (stop == null) {
              return false; // a float, a boolean or a structure: the tree path's rule
            }
          }
          if ("matched_stop".equals(name)) {
            matchedStop = stop;
          } else {
            stopReason = stop;
          }
        }
        default -> p.skipChildren();
      }
      return true;
    }

    @Nullable FinishReason finishReason() {
      if (finishReason == null) {
        return null;
      }
      FinishReason base = FinishReason.of(finishReason);
      Object matched = matchedStop != null ? matchedStop : stopReason;
      if (matched == null) {
        return base;
      }
      return new FinishReason(
          base.type(),
          finishReason,
          matched instanceof Integer tokenId ? tokenId : null,
          matched instanceof String text ? text : null,
          null);
    }
  }
}
