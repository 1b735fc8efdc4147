package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * {@code POST /update_weights_from_disk}: takes the new {@code model_path} and, if given, the new
 * {@code weight_version}, and empties the prefix cache; answers
 * {@code {success, message, num_paused_requests}}.
 */
final class UpdateWeightsEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode body = call.json();
    JsonNode modelPath = body.path("model_path");
    if (!modelPath.isTextual() || modelPath.textValue().isEmpty()) {
      Responses.json(call, 400, result(false, "model_path is required."));
      return;
    }
    WorkerState state = call.context().state();
    state.setModelPath(modelPath.textValue());
    JsonNode version = body.path("weight_version");
    if (version.isTextual()) {
      state.setWeightVersion(version.textValue());
    }
    call.context().cache().clear();
    Responses.json(call, 200, result(true, "Succeeded to update model weights."));
  }

  private static ObjectNode result(boolean success, String message) {
    return Json.object()
        .put("success", success)
        .put("message", message)
        .put("num_paused_requests", 0);
  }
}
