package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/** {@code POST /generate}: SGLang native generation, plain or streamed. */
final class GenerateEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    NativeRequest request;
    Generation generation;
    try {
      request = NativeRequest.parse(call.json(), call.context());
      generation = Generation.start(call, request.promptIds(), request.sampling());
    } catch (RequestException e) {
      Responses.json(call, e.status(), ErrorBodies.nativeError(e.getMessage()));
      return;
    }
    TokenSink sink =
        request.stream()
            ? new NativeStreamSink(call, generation, request.logprobs())
            : new NativeBodySink(call, generation, request.logprobs());
    GenerationRunner.run(call, generation, sink);
  }
}
