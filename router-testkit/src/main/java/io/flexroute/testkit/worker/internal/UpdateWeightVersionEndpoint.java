package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * {@code POST /update_weight_version}: sets the version label from {@code new_version}, aborting
 * running requests unless {@code abort_all_requests} is false; answers
 * {@code {success, message, new_version}}.
 */
final class UpdateWeightVersionEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode body = call.json();
    JsonNode version = body.path("new_version");
    if (!version.isTextual() || version.textValue().isEmpty()) {
      Responses.json(
          call,
          400,
          Json.object().put("success", false).put("message", "new_version is required."));
      return;
    }
    if (body.path("abort_all_requests").asBoolean(true)) {
      call.context().flights().abort("", true);
    }
    call.context().state().setWeightVersion(version.textValue());
    Responses.json(
        call,
        200,
        Json.object()
            .put("success", true)
            .put("message", "Weight version updated to " + version.textValue() + ".")
            .put("new_version", version.textValue()));
  }
}
