package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Maps the workers' {@code /tokenize} and {@code /detokenize} bodies: SGLang answers {@code
 * {"tokens": [...]}} and {@code {"text": ...}}, vLLM {@code {"tokens": [...]}} and {@code
 * {"prompt": ...}}.
 *
 * <p>Instances are immutable and thread-safe. Not public API.
 */
public final class TokenizeCodec {

  private final JsonCodec json;
  private final @Nullable String model;

  /**
   * Creates the codec.
   *
   * @param json the JSON codec
   * @param model the model name to send, or null to send none
   */
  public TokenizeCodec(JsonCodec json, @Nullable String model) {
    this.json = json;
    this.model = model;
  }

  /**
   * The body of {@code POST /tokenize} for one text, without special tokens.
   *
   * @param text the text
   * @return the body
   */
  public byte[] tokenizeBody(String text) {
    ObjectNode body = json.newObject();
    if (model != null) {
      body.put("model", model);
    }
    body.put("prompt", text);
    body.put("add_special_tokens", false);
    return json.write(body);
  }

  /**
   * The body of {@code POST /detokenize} for one sequence.
   *
   * @param ids the token ids
   * @param keepSpecialTokens whether to send {@code "skip_special_tokens": false} (SGLang, whose
   *     default skips them)
   * @return the body
   */
  public byte[] detokenizeBody(int[] ids, boolean keepSpecialTokens) {
    ObjectNode body = json.newObject();
    if (model != null) {
      body.put("model", model);
    }
    ArrayNode tokens = body.putArray("tokens");
    for (int id : ids) {
      tokens.add(id);
    }
    if (keepSpecialTokens) {
      body.put("skip_special_tokens", false);
    }
    return json.write(body);
  }

  /**
   * The body of SGLang's batch {@code POST /detokenize}: one single-token sequence per id.
   *
   * @param ids the token ids
   * @param from the first index to send
   * @param to the index after the last one
   * @return the body
   */
  public byte[] detokenizeEachBody(int[] ids, int from, int to) {
    ObjectNode body = json.newObject();
    if (model != null) {
      body.put("model", model);
    }
    ArrayNode lists = body.putArray("tokens");
    for (int i = from; i < to; i++) {
      lists.addArray().add(ids[i]);
    }
    body.put("skip_special_tokens", false);
    return json.write(body);
  }

  /**
   * Reads the token ids of a {@code /tokenize} answer.
   *
   * @param body the answer's bytes
   * @return the ids
   * @throws JsonShapeException if the answer has no flat {@code tokens} array of ids
   */
  public int[] readTokens(byte[] body) {
    JsonNode root = object(body, "tokenize response");
    JsonNode tokens = JsonNodes.array(root, "tokens", "$");
    if (tokens == null) {
      throw new JsonShapeException("tokenize response has no tokens array");
    }
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = tokens.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw new JsonShapeException(
            "$.tokens[" + i + "] must be a token id, but was " + JsonNodes.describe(id));
      }
      ids[i] = id.intValue();
    }
    return ids;
  }

  /**
   * Reads the text of a {@code /detokenize} answer: SGLang's {@code text} or vLLM's {@code
   * prompt}.
   *
   * @param body the answer's bytes
   * @return the text
   * @throws JsonShapeException if neither field is a string
   */
  public String readText(byte[] body) {
    JsonNode root = object(body, "detokenize response");
    JsonNode text = JsonNodes.field(root, "text");
    if (text == null) {
      text = JsonNodes.field(root, "prompt");
    }
    if (text == null || !text.isTextual()) {
      throw new JsonShapeException(
          "detokenize response must have a text (SGLang) or prompt (vLLM) string, but had "
              + (text == null ? "neither" : JsonNodes.describe(text)));
    }
    return text.textValue();
  }

  /**
   * Reads the texts of a batch {@code /detokenize} answer.
   *
   * @param body the answer's bytes
   * @param expected how many texts were asked for
   * @return the texts, unmodifiable
   * @throws JsonShapeException if {@code text} is not an array of {@code expected} strings
   */
  public List<String> readTexts(byte[] body, int expected) {
    JsonNode root = object(body, "detokenize response");
    JsonNode texts = JsonNodes.field(root, "text");
    if (texts == null || !texts.isArray() || texts.size() != expected) {
      throw new JsonShapeException(
          "batch detokenize response must have a text array of " + expected + " strings, but had "
              + (texts == null
                  ? "none"
                  : texts.isArray() ? texts.size() + " entries" : JsonNodes.describe(texts)));
    }
    List<String> out = new ArrayList<>(expected);
    for (int i = 0; i < expected; i++) {
      JsonNode t = texts.get(i);
      if (!t.isTextual()) {
        throw new JsonShapeException(
            "$.text[" + i + "] must be a string, but was " + JsonNodes.describe(t));
      }
      out.add(t.textValue());
    }
    return Collections.unmodifiableList(out);
  }

  private JsonNode object(byte[] body, String what) {
    JsonNode root = json.parse(body, what);
    if (!root.isObject()) {
      throw new JsonShapeException(
          what + " must be a JSON object, but was " + JsonNodes.describe(root));
    }
    return root;
  }
}
