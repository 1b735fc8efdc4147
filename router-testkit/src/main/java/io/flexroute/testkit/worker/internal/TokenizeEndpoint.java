package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.testkit.ToyTokenizer;
import java.io.IOException;

/**
 * {@code POST /tokenize}: {@code {prompt: str | [str]}} or {@code {messages}} (rendered with the
 * worker's chat template) to {@code {tokens, count, max_model_len}}.
 */
final class TokenizeEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode body = call.json();
    ToyTokenizer tokenizer = call.context().tokenizer();
    JsonNode prompt = Params.field(body, "prompt");
    JsonNode messages = Params.field(body, "messages");
    ObjectNode result = Json.object();
    try {
      if ((prompt == null) == (messages == null)) {
        throw RequestException.badRequest("Exactly one of prompt and messages must be given.");
      }
      if (messages != null) {
        tokens(result, tokenizer.encode(ChatTemplate.render(messages)));
      } else if (prompt.isTextual()) {
        tokens(result, tokenizer.encode(prompt.textValue()));
      } else if (prompt.isArray()) {
        ArrayNode lists = result.putArray("tokens");
        ArrayNode counts = result.putArray("count");
        for (JsonNode item : prompt) {
          int[] ids = tokenizer.encode(text(item));
          lists.add(Json.array(ids));
          counts.add(ids.length);
        }
      } else {
        throw RequestException.badParam("prompt", "prompt must be a string or a list of strings.");
      }
    } catch (RequestException e) {
      Responses.json(
          call, e.status(), ErrorBodies.flat(400, e.getMessage(), "Bad Request"));
      return;
    }
    result.put("max_model_len", call.context().settings().maxModelLen());
    Responses.json(call, 200, result);
  }

  private static void tokens(ObjectNode result, int[] ids) {
    result.set("tokens", Json.array(ids));
    result.put("count", ids.length);
  }

  private static String text(JsonNode item) throws RequestException {
    if (!item.isTextual()) {
      throw RequestException.badParam("prompt", "prompt must be a string or a list of strings.");
    }
    return item.textValue();
  }
}
