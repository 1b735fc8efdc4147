package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/**
 * {@code GET|POST /flush_cache}: empties the prefix cache, or answers 400 while generation
 * requests are running, as SGLang.
 */
final class FlushCacheEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    int running = call.context().flights().activeGenerations();
    if (running > 0) {
      Responses.text(
          call,
          400,
          "Cache not flushed because there are pending requests. #queue-req: 0, #running-req: "
              + running + "\n");
      return;
    }
    call.context().cache().clear();
    Responses.text(
        call,
        200,
        "Cache flushed.\nPlease check backend logs for more details. (When there are running or"
            + " waiting requests, the operation will not be performed.)\n");
  }
}
