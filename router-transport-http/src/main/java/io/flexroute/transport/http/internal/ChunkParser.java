package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flexroute.ChatChunk;
import io.flexroute.CompletionChunk;
import io.flexroute.FinishReason;
import io.flexroute.TextCompletion;
import io.flexroute.TokenUsage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads OpenAI-compatible stream chunks straight from an event's UTF-8 bytes with Jackson's
 * streaming parser: no string, no tree. Streams are dozens of small events per answer, so this is
 * the transport's hottest decoding path.
 *
 * <p>It takes only the plain, well-formed shape and gives up (returns null) on anything else: an
 * error report, a field of an unexpected type, content given as parts, malformed JSON. The caller
 * then decodes the event through the tree path ({@link OpenAiCodec}), which holds every rule and
 * names every problem, so both paths give the same chunk or the same error for any input. Fields
 * are read as the tree path reads them (a later duplicate replaces an earlier one, unknown fields
 * are skipped).
 *
 * <p>Stateless and thread-safe.
 */
final class ChunkParser {

  private final JsonCodec json;

  /**
   * Creates the parser.
   *
   * @param json the codec whose reader settings parsers take
   */
  ChunkParser(JsonCodec json) {
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
    return parse(event, requestId, workerId, true);
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
    return parse(event, requestId, workerId, false);
  }

  @SuppressWarnings("unchecked")
  private <T> @Nullable T parse(SseEvent event, String requestId, String workerId, boolean chat) {
    try (JsonParser p = json.parser(event.dataBytes(), event.dataOffset(), event.dataLength())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String id = null;
      String model = null;
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
              choices = chat ? chatChoices(p) : textChoices(p);
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
      String chunkId = id == null ? "" : id;
      return chat
          ? (T) new ChatChunk(
              chunkId, requestId, workerId, model, (List<ChatChunk.Delta>) choices, usage)
          : (T) new CompletionChunk(
              chunkId, requestId, workerId, model, (List<TextCompletion.Choice>) choices, usage);
    } catch (IOException | RuntimeException e) {
      // Malformed JSON, or a value the result types refuse: the tree path says what is wrong.
      return null;
    }
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

  private static ChatChunk.@Nullable Delta chatChoice(JsonParser p, int position)
      throws IOException {
    Choice choice = new Choice(position);
    String role = null;
    String content = null;
    String reasoningContent = null;
    String reasoning = null;
    List<ChatChunk.ToolCallDelta> toolCalls = List.of();
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (!"delta".equals(name)) {
        if (!choice.read(p, name, value)) {
          return null;
        }
        continue;
      }
      role = content = reasoningContent = reasoning = null;
      toolCalls = List.of();
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      if (value != JsonToken.START_OBJECT) {
        return null;
      }
      for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if ("tool_calls".equals(field)) {
          if (v == JsonToken.VALUE_NULL) {
            toolCalls = List.of();
          } else if (v == JsonToken.START_ARRAY) {
            toolCalls = toolCallDeltas(p);
            if (toolCalls == null) {
              return null;
            }
          } else {
            return null;
          }
          continue;
        }
        boolean known =
            switch (field) {
              case "role", "content", "reasoning_content", "reasoning" -> true;
              default -> false;
            };
        if (!known) {
          p.skipChildren();
          continue;
        }
        if (!isStringOrNull(v)) {
          return null; // content as an array of parts, or a wrong type
        }
        String text = p.getValueAsString();
        switch (field) {
          case "role" -> role = text;
          case "content" -> content = text;
          case "reasoning_content" -> reasoningContent = text;
          default -> reasoning = text;
        }
      }
    }
    return new ChatChunk.Delta(
        choice.index,
        role,
        content,
        reasoningContent != null ? reasoningContent : reasoning,
        toolCalls,
        choice.finishReason());
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
      String name = null;
      String arguments = null;
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
            name = arguments = null;
            if (v == JsonToken.VALUE_NULL) {
              continue;
            }
            if (v != JsonToken.START_OBJECT) {
              return null;
            }
            for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
              String f = p.currentName();
              JsonToken fv = p.nextToken();
              if (!"name".equals(f) && !"arguments".equals(f)) {
                p.skipChildren();
                continue;
              }
              if (!isStringOrNull(fv)) {
                return null; // arguments given as an object are written back by the tree path
              }
              if ("name".equals(f)) {
                name = p.getValueAsString();
              } else {
                arguments = p.getValueAsString();
              }
            }
          }
          default -> p.skipChildren();
        }
      }
      calls.add(new ChatChunk.ToolCallDelta(index, id, name, arguments));
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
