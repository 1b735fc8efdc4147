package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * {@code POST /abort_request}: stops every running generation whose rid starts with {@code rid}
 * (all of them with {@code abort_all}); always 200 with an empty body, as SGLang.
 */
final class AbortEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode body = call.json();
    String rid = body.path("rid").isTextual() ? body.path("rid").textValue() : "";
    boolean all = body.path("abort_all").asBoolean(false);
    call.context().flights().abort(rid, all);
    Responses.empty(call, 200);
  }
}
