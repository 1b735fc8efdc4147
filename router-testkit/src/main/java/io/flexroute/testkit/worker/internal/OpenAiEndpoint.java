package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** {@code POST /v1/chat/completions} and {@code POST /v1/completions}, plain or streamed. */
final class OpenAiEndpoint implements Endpoint {

  /** Parses one of the two request shapes. */
  @FunctionalInterface
  private interface Parser {
    OpenAiRequest parse(JsonNode body, WorkerContext context) throws RequestException;
  }

  private final OpenAiFormat format;
  private final Parser parser;

  private OpenAiEndpoint(OpenAiFormat format, Parser parser) {
    this.format = format;
    this.parser = parser;
  }

  static OpenAiEndpoint chat() {
    return new OpenAiEndpoint(new ChatFormat(), OpenAiRequest::chat);
  }

  static OpenAiEndpoint completions() {
    return new OpenAiEndpoint(new CompletionFormat(), OpenAiRequest::completion);
  }

  @Override
  public void handle(Call call) throws IOException {
    OpenAiRequest request;
    Generation generation;
    try {
      request = parser.parse(call.json(), call.context());
      generation = Generation.start(call, request.promptIds(), request.sampling());
    } catch (RequestException e) {
      Responses.json(
          call, e.status(), ErrorBodies.openAi(e.status(), e.getMessage(), e.param()));
      return;
    }
    TokenSink sink =
        request.stream()
            ? new OpenAiStreamSink(call, generation, format, request)
            : new OpenAiBodySink(call, generation, format, request);
    GenerationRunner.run(call, generation, sink);
  }
}
