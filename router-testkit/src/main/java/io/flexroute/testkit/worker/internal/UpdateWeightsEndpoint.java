package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * {@code POST /update_weights_from_disk}: takes the new {@code model_path} and, if given, the new
 * {@code weight_version}, aborts running generations with {@code abort_all_requests}, and empties
 * the prefix cache; answers {@code {success, message, num_paused_requests}}. A held update waits
 * until released; a programmed failure answers 400 with {@code success: false} and changes
 * nothing, as SGLang rolls back a failed load.
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
    WeightUpdates updates = call.context().weightUpdates();
    updates.awaitRelease(call.flight());
    String failure = updates.takeFailure();
    if (failure != null) {
      Responses.json(
          call, 400,
          result(false, "Failed to update weights: " + failure
              + ".\nRolling back to original weights."));
      return;
    }
    if (body.path("abort_all_requests").asBoolean(false)) {
      call.context().flights().abort("", true);
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

  static ObjectNode result(boolean success, String message) {
    return Json.object()
        .put("success", success)
        .put("message", message)
        .put("num_paused_requests", 0);
  }
}
