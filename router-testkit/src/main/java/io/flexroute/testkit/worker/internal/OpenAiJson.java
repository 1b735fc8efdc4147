package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The parts shared by the chat and completions response shapes. */
final class OpenAiJson {

  private OpenAiJson() {}

  /** Returns {@code {id, object, created, model, choices}}. */
  static ObjectNode envelope(Generation generation, String object, ArrayNode choices) {
    ObjectNode body = Json.object();
    body.put("id", generation.rid());
    body.put("object", object);
    body.put("created", generation.createdEpochSecond());
    body.put("model", generation.model());
    body.set("choices", choices);
    return body;
  }

  /** Returns a stream chunk with one choice and {@code "usage": null}. */
  static ObjectNode chunk(Generation generation, String object, ObjectNode choice) {
    ObjectNode chunk = envelope(generation, object, Json.array().add(choice));
    chunk.putNull("usage");
    return chunk;
  }

  /** Returns {@code {prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details}}. */
  static ObjectNode usage(Generation generation, int produced) {
    ObjectNode usage = Json.object();
    usage.put("prompt_tokens", generation.promptTokens());
    usage.put("completion_tokens", produced);
    usage.put("total_tokens", generation.promptTokens() + produced);
    usage.putObject("prompt_tokens_details").put("cached_tokens", generation.cachedTokens());
    return usage;
  }

  /** Returns chat logprobs {@code {"content":[...]}} for tokens {@code [from, to)}, or null. */
  static JsonNode chatLogprobs(Generation generation, int from, int to, int top) {
    if (top < 0) {
      return NullNode.getInstance();
    }
    GeneratedOutput output = generation.output();
    ObjectNode logprobs = Json.object();
    ArrayNode content = logprobs.putArray("content");
    for (int i = from; i < to; i++) {
      ObjectNode entry = tokenEntry(output.piece(i), output.logprob(i));
      ArrayNode alternatives = entry.putArray("top_logprobs");
      if (top > 0) {
        alternatives.add(tokenEntry(output.piece(i), output.logprob(i)));
      }
      content.add(entry);
    }
    return logprobs;
  }

  /**
   * Returns completions logprobs {@code {tokens, token_logprobs, top_logprobs, text_offset}} for
   * tokens {@code [from, to)}, or null.
   */
  static JsonNode completionLogprobs(Generation generation, int from, int to, int top) {
    if (top < 0) {
      return NullNode.getInstance();
    }
    GeneratedOutput output = generation.output();
    ObjectNode logprobs = Json.object();
    ArrayNode tokens = logprobs.putArray("tokens");
    ArrayNode tokenLogprobs = logprobs.putArray("token_logprobs");
    ArrayNode topLogprobs = top > 0 ? logprobs.putArray("top_logprobs") : null;
    if (topLogprobs == null) {
      logprobs.putNull("top_logprobs");
    }
    ArrayNode offsets = logprobs.putArray("text_offset");
    for (int i = from; i < to; i++) {
      tokens.add(output.piece(i));
      tokenLogprobs.add(output.logprob(i));
      if (topLogprobs != null) {
        topLogprobs.addObject().put(output.piece(i), output.logprob(i));
      }
      offsets.add(output.offset(i));
    }
    return logprobs;
  }

  private static ObjectNode tokenEntry(String token, double logprob) {
    ObjectNode entry = Json.object();
    entry.put("token", token);
    entry.put("logprob", logprob);
    ArrayNode bytes = entry.putArray("bytes");
    for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return entry;
  }
}
