package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/**
 * {@code POST /pause_generation}: pauses generation. Mode {@code abort} (the default, and a body
 * without a mode) aborts the running generations; {@code retract} and {@code in_place} hold them
 * between tokens. New generations wait until {@code /continue_generation} in every mode.
 */
final class PauseEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    String mode = call.json().path("mode").asText("abort");
    if (!mode.equals("abort") && !mode.equals("retract") && !mode.equals("in_place")) {
      Responses.json(
          call, 400, ErrorBodies.flat(400, "Invalid pause mode: " + mode, "Bad Request"));
      return;
    }
    WorkerContext context = call.context();
    context.pause().pause(!mode.equals("abort"));
    if (mode.equals("abort")) {
      context.flights().abort("", true);
    }
    Responses.json(
        call, 200,
        Json.object().put("message", "Generation paused successfully.").put("status", "ok"));
  }
}
