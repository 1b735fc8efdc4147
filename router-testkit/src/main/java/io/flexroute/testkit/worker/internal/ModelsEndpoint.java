package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** {@code GET /v1/models}: the served model, in SGLang's list shape. */
final class ModelsEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    WorkerContext context = call.context();
    String model = context.settings().model();
    ObjectNode body = Json.object().put("object", "list");
    ObjectNode entry = body.putArray("data").addObject();
    entry.put("id", model).put("object", "model");
    entry.put("created", context.state().createdEpochSecond());
    entry.put("owned_by", "sglang").put("root", model).putNull("parent");
    entry.put("max_model_len", context.settings().maxModelLen());
    Responses.json(call, 200, body);
  }
}
