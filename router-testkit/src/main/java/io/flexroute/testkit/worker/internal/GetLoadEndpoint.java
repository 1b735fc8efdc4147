package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;

/** {@code GET /get_load}: SGLang v0.5's per-rank array. */
final class GetLoadEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    LoadSnapshot load = LoadSnapshot.of(call.context());
    ArrayNode body = Json.array();
    body.addObject()
        .put("dp_rank", 0)
        .put("num_reqs", load.runningRequests())
        .put("num_waiting_reqs", 0)
        .put("num_tokens", load.usedTokens());
    Responses.json(call, 200, body);
  }
}
