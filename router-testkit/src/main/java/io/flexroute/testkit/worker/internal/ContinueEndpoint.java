package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/** {@code POST /continue_generation}: lets paused and waiting generations go on. */
final class ContinueEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    call.context().pause().resume();
    Responses.json(
        call, 200,
        Json.object().put("message", "Generation continued successfully.").put("status", "ok"));
  }
}
