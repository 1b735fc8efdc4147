package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/** Answers the requests to one path. Implementations are stateless and thread-safe. */
interface Endpoint {

  /** Answers the call; the dispatcher closes the exchange afterwards. */
  void handle(Call call) throws IOException;
}
