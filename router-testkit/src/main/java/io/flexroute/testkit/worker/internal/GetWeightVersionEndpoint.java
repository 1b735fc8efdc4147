package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/** {@code GET /get_weight_version}: {@code {"weight_version": ...}}, as older SGLang builds. */
final class GetWeightVersionEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    Responses.json(
        call, 200, Json.object().put("weight_version", call.context().state().weightVersion()));
  }
}
