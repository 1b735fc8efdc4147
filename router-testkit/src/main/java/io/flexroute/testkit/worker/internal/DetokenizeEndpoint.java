package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.testkit.ToyTokenizer;
import java.io.IOException;

/** {@code POST /detokenize}: {@code {tokens: [int] | [[int]]}} to {@code {text: str | [str]}}. */
final class DetokenizeEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode tokens = call.json().path("tokens");
    ToyTokenizer tokenizer = call.context().tokenizer();
    ObjectNode result = Json.object();
    try {
      if (!tokens.isArray()) {
        throw RequestException.badParam("tokens", "tokens must be a list of integers.");
      }
      if (!tokens.isEmpty() && tokens.get(0).isArray()) {
        ArrayNode texts = result.putArray("text");
        for (JsonNode list : tokens) {
          texts.add(tokenizer.decode(Params.tokenIds(list, "tokens")));
        }
      } else {
        result.put("text", tokenizer.decode(Params.tokenIds(tokens, "tokens")));
      }
    } catch (RequestException e) {
      Responses.json(
          call, e.status(), ErrorBodies.flat(400, e.getMessage(), "Bad Request"));
      return;
    }
    Responses.json(call, 200, result);
  }
}
