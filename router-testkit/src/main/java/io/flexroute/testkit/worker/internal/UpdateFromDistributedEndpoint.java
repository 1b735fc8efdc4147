package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * {@code POST /update_weights_from_distributed}: checks that {@code names}, {@code dtypes} and
 * {@code shapes} are lists of one length and that the worker joined {@code group_name} (default
 * {@code weight_update_group}), then, standing in for the NCCL broadcast, takes the new {@code
 * weight_version} and empties the prefix cache; answers {@code {success, message}}. Held and
 * failed like {@code /update_weights_from_disk}.
 */
final class UpdateFromDistributedEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode body = call.json();
    JsonNode names = body.path("names");
    JsonNode dtypes = body.path("dtypes");
    JsonNode shapes = body.path("shapes");
    if (!names.isArray() || !dtypes.isArray() || !shapes.isArray() || names.isEmpty()
        || names.size() != dtypes.size() || names.size() != shapes.size()) {
      Responses.json(
          call, 400,
          answer(false, "names, dtypes and shapes must be non-empty lists of one length."));
      return;
    }
    String group = body.path("group_name").asText("weight_update_group");
    WeightUpdates updates = call.context().weightUpdates();
    if (!group.equals(updates.group())) {
      Responses.json(
          call, 400, answer(false, "Weight update group " + group + " is not initialized."));
      return;
    }
    updates.awaitRelease(call.flight());
    String failure = updates.takeFailure();
    if (failure != null) {
      Responses.json(call, 400, answer(false, "Failed to update weights: " + failure + "."));
      return;
    }
    if (body.path("abort_all_requests").asBoolean(false)) {
      call.context().flights().abort("", true);
    }
    JsonNode version = body.path("weight_version");
    if (version.isTextual()) {
      call.context().state().setWeightVersion(version.textValue());
    }
    call.context().cache().clear();
    Responses.json(call, 200, answer(true, "Succeeded to update parameter online."));
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode answer(
      boolean success, String message) {
    return Json.object().put("success", success).put("message", message);
  }
}
