package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/** {@code GET /health} and {@code GET /health_generate}: 200 with an empty body, or 503. */
final class HealthEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    Responses.empty(call, call.context().state().healthy() ? 200 : 503);
  }
}
