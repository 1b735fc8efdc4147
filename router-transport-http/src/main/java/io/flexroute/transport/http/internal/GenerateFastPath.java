package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flexroute.FinishReason;
import io.flexroute.GenerateResult;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.WeightVersionSpan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads SGLang's {@code /generate} answers and stream chunks with Jackson's streaming parser,
 * straight into a {@link GenerateResult} or the fields {@link GenerateStreamDecoder} works on. An RL rollout asks for logprobs, and SGLang sends them as one {@code [logprob,
 * token_id, text]} array per output token: as a JSON tree that is four nodes per token, which made
 * reading a long answer cost far more than the request itself.
 *
 * <p>Only the usual shape is read here: fields of the expected types, each at most once. Anything
 * else (an error report, a field of another type, a duplicate field, malformed or trailing JSON)
 * returns null, and the caller reads the answer through the tree path, whose results and error
 * messages are the definition: this path gives the same result for every answer it accepts.
 *
 * <p>Stateless and thread-safe.
 */
final class GenerateFastPath {

  private static final int TEXT = 1;
  private static final int OUTPUT_IDS = 2;
  private static final int META = 4;

  private static final int FINISH = 1;
  private static final int COMPLETION_TOKENS = 2;
  private static final int PROMPT_TOKENS = 4;
  private static final int CACHED_TOKENS = 8;
  private static final int LOGPROBS = 16;
  private static final int WEIGHT_VERSION = 32;
  private static final int WEIGHT_VERSIONS = 64;

  private final JsonCodec json;

  /**
   * Creates the reader.
   *
   * @param json the codec whose parser settings apply
   */
  GenerateFastPath(JsonCodec json) {
    this.json = json;
  }

  /**
   * The fields of an answer or a stream event, all of the expected types; each stays at its
   * default when absent or null.
   */
  static final class Fields {
    @Nullable String text;
    /** Whether {@code output_ids} was there and not null. */
    boolean idsPresent;
    TokenIds ids = TokenIds.empty();
    @Nullable Integer completionTokens;
    int promptTokens;
    int cachedTokens;
    TokenLogprobs logprobs = TokenLogprobs.empty();
    @Nullable FinishReason finish;
    /** The finish reason object's {@code status_code}, when it is an int. */
    @Nullable Integer statusCode;
    @Nullable String weightVersion;
    /** SGLang's {@code weight_versions}, unchecked against the output (the caller checks). */
    List<WeightVersionSpan> spans = List.of();
  }

  /**
   * Reads an answer.
   *
   * @param body the answer
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @param unknownFinish the finish reason of an answer without one
   * @return the result, or null when the answer needs the tree path
   */
  @Nullable GenerateResult result(
      byte[] body, String requestId, String workerId, FinishReason unknownFinish) {
    Fields f = fields(body, 0, body.length, true);
    if (f == null) {
      return null;
    }
    int completion = f.completionTokens == null ? f.ids.size() : f.completionTokens;
    List<WeightVersionSpan> spans;
    try {
      spans = WeightVersionSpan.checked(f.spans, f.ids.size());
    } catch (IllegalArgumentException e) {
      return null; // spans that do not fit the output: the tree path decides (it ignores them)
    }
    return new GenerateResult(
        requestId,
        workerId,
        f.text,
        f.ids,
        f.logprobs,
        f.finish == null ? unknownFinish : f.finish,
        new TokenUsage(f.promptTokens, completion, f.cachedTokens),
        f.weightVersion,
        spans);
  }

  /**
   * Reads the fields of a stream event's data (weight version spans are skipped: chunks keep only
   * the version).
   *
   * @param bytes the array holding the JSON
   * @param offset where it starts
   * @param length its length in bytes
   * @return the fields, or null when the JSON needs the tree path
   */
  @Nullable Fields fields(byte[] bytes, int offset, int length) {
    return fields(bytes, offset, length, false);
  }

  /** Reads the fields of an answer or a stream event's data, with or without the spans. */
  private @Nullable Fields fields(byte[] bytes, int offset, int length, boolean withSpans) {
    try (JsonParser p = json.parser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int seen = 0;
      Fields f = new Fields();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        int bit =
            switch (name) {
              case "text" -> TEXT;
              case "output_ids" -> OUTPUT_IDS;
              case "meta_info" -> META;
              case "error", "object" -> -1; // an error report, or a shape to look at closer
              default -> 0;
            };
        if (bit < 0 || (seen & bit) != 0) {
          return null;
        }
        seen |= bit;
        switch (bit) {
          case TEXT -> {
            if (value == JsonToken.VALUE_STRING) {
              f.text = p.getText();
            } else if (value != JsonToken.VALUE_NULL) {
              return null;
            }
          }
          case OUTPUT_IDS -> {
            if (value == JsonToken.START_ARRAY) {
              TokenIds ids = tokenIds(p);
              if (ids == null) {
                return null;
              }
              f.ids = ids;
              f.idsPresent = true;
            } else if (value != JsonToken.VALUE_NULL) {
              return null;
            }
          }
          case META -> {
            if (value == JsonToken.START_OBJECT) {
              if (!meta(p, f, withSpans)) {
                return null;
              }
            } else if (value != JsonToken.VALUE_NULL) {
              return null;
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return f;
    } catch (IOException e) {
      return null; // malformed: the tree path names the problem
    }
  }

  /** The meta object, the parser on its start; false to give up. */
  private static boolean meta(JsonParser p, Fields meta, boolean withSpans) throws IOException {
    int seen = 0;
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      int bit =
          switch (name) {
            case "finish_reason" -> FINISH;
            case "completion_tokens" -> COMPLETION_TOKENS;
            case "prompt_tokens" -> PROMPT_TOKENS;
            case "cached_tokens" -> CACHED_TOKENS;
            case "output_token_logprobs" -> LOGPROBS;
            case "weight_version" -> WEIGHT_VERSION;
            case "weight_versions" -> withSpans ? WEIGHT_VERSIONS : 0;
            default -> 0;
          };
      if ((seen & bit) != 0) {
        return false;
      }
      seen |= bit;
      boolean isNull = value == JsonToken.VALUE_NULL;
      switch (bit) {
        case FINISH -> {
          if (value == JsonToken.VALUE_STRING) {
            meta.finish = FinishReason.of(p.getText());
          } else if (value == JsonToken.START_OBJECT) {
            if (!finishReason(p, meta)) {
              return false;
            }
          } else if (!isNull) {
            return false;
          }
        }
        case COMPLETION_TOKENS -> {
          if (!isNull) {
            if (!isInt(p, value) || p.getIntValue() < 0) {
              return false; // the tree path reports a negative count
            }
            meta.completionTokens = p.getIntValue();
          }
        }
        case PROMPT_TOKENS, CACHED_TOKENS -> {
          int count = 0;
          if (!isNull) {
            if (!isInt(p, value) || p.getIntValue() < 0) {
              return false;
            }
            count = p.getIntValue();
          }
          if (bit == PROMPT_TOKENS) {
            meta.promptTokens = count;
          } else {
            meta.cachedTokens = count;
          }
        }
        case LOGPROBS -> {
          if (value == JsonToken.START_ARRAY) {
            TokenLogprobs logprobs = logprobs(p);
            if (logprobs == null) {
              return false;
            }
            meta.logprobs = logprobs;
          } else if (!isNull) {
            return false;
          }
        }
        case WEIGHT_VERSION -> {
          if (value == JsonToken.VALUE_STRING) {
            meta.weightVersion = p.getText();
          } else if (!isNull) {
            return false; // a number's text is the tree path's to format
          }
        }
        case WEIGHT_VERSIONS -> {
          if (value == JsonToken.START_ARRAY) {
            List<WeightVersionSpan> spans = spans(p);
            if (spans == null) {
              return false;
            }
            meta.spans = spans;
          } else if (!isNull) {
            return false;
          }
        }
        default -> p.skipChildren();
      }
    }
    return true;
  }

  /**
   * SGLang's weight version spans, {@code {"version": "7", "start": 0, "end": 12}} each, the parser
   * on the array's start; null to give up (any other shape is the tree path's to report).
   */
  private static @Nullable List<WeightVersionSpan> spans(JsonParser p) throws IOException {
    List<WeightVersionSpan> spans = new ArrayList<>(2);
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      String version = null;
      int start = -1;
      int end = -1;
      for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "version" -> {
            if (value != JsonToken.VALUE_STRING || version != null) {
              return null;
            }
            version = p.getText();
          }
          case "start", "end" -> {
            if (!isInt(p, value) || p.getIntValue() < 0
                || (name.equals("start") ? start : end) >= 0) {
              return null;
            }
            if (name.equals("start")) {
              start = p.getIntValue();
            } else {
              end = p.getIntValue();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (version == null || version.isEmpty() || start < 0 || end < start) {
        return null;
      }
      spans.add(new WeightVersionSpan(version, start, end));
    }
    return spans;
  }

  /** SGLang's finish reason object, the parser on its start, into the fields; false to give up. */
  private static boolean finishReason(JsonParser p, Fields fields) throws IOException {
    int seen = 0;
    Integer statusCode = null;
    String type = null;
    Integer matchedId = null;
    String matchedText = null;
    String message = null;
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      int bit =
          switch (name) {
            case "type" -> 1;
            case "matched" -> 2;
            case "message" -> 4;
            case "status_code" -> 8;
            default -> 0;
          };
      if ((seen & bit) != 0) {
        return false;
      }
      seen |= bit;
      switch (bit) {
        case 1 -> {
          if (value == JsonToken.VALUE_STRING) {
            type = p.getText();
          } else if (value != JsonToken.VALUE_NULL) {
            return false;
          }
        }
        case 2 -> {
          if (isInt(p, value)) {
            matchedId = p.getIntValue();
          } else if (value == JsonToken.VALUE_STRING) {
            matchedText = p.getText();
          } else {
            p.skipChildren(); // anything else matched nothing the result can hold
          }
        }
        case 4 -> {
          if (value == JsonToken.VALUE_STRING) {
            message = p.getText();
          } else if (value != JsonToken.VALUE_NULL) {
            return false;
          }
        }
        case 8 -> {
          if (isInt(p, value)) {
            statusCode = p.getIntValue();
          } else {
            p.skipChildren(); // not a status: the abort is an answer
          }
        }
        default -> p.skipChildren();
      }
    }
    String raw = type == null ? "unknown" : type;
    fields.finish =
        new FinishReason(FinishReason.of(raw).type(), raw, matchedId, matchedText, message);
    fields.statusCode = statusCode;
    return true;
  }

  /** Token ids, the parser on the array's start; null to give up. */
  private static @Nullable TokenIds tokenIds(JsonParser p) throws IOException {
    int[] ids = new int[64];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (!isInt(p, t) || p.getIntValue() < 0) {
        return null;
      }
      if (n == ids.length) {
        ids = Arrays.copyOf(ids, n * 2);
      }
      ids[n++] = p.getIntValue();
    }
    return n == 0 ? TokenIds.empty() : TokenIds.of(Arrays.copyOf(ids, n));
  }

  /** The logprobs of {@code [logprob, token_id, text]} tuples, the parser on the array's start. */
  private static @Nullable TokenLogprobs logprobs(JsonParser p) throws IOException {
    double[] values = new double[64];
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_ARRAY) {
        return null;
      }
      JsonToken first = p.nextToken();
      double value;
      if (first == JsonToken.VALUE_NULL) {
        value = Double.NaN;
      } else if (first == JsonToken.VALUE_NUMBER_FLOAT
          || (first == JsonToken.VALUE_NUMBER_INT
              && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER)) {
        value = p.getDoubleValue();
      } else {
        return null; // an empty tuple, a big integer or another type: the tree path decides
      }
      // The token id and text are not kept.
      for (JsonToken rest = p.nextToken(); rest != JsonToken.END_ARRAY; rest = p.nextToken()) {
        p.skipChildren();
      }
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = value;
    }
    return n == 0 ? TokenLogprobs.empty() : TokenLogprobs.of(Arrays.copyOf(values, n));
  }

  /** Whether the current token is an integer that fits an int, as the tree path requires. */
  private static boolean isInt(JsonParser p, JsonToken token) throws IOException {
    return token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT;
  }
}
