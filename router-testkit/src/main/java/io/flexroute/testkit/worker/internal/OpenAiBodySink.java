package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Answers a non-streaming OpenAI request with one JSON object once generation ends, including
 * {@code usage} and SGLang's {@code metadata.weight_version}.
 */
final class OpenAiBodySink implements TokenSink {

  private final Call call;
  private final Generation generation;
  private final OpenAiFormat format;
  private final OpenAiRequest request;

  OpenAiBodySink(Call call, Generation generation, OpenAiFormat format, OpenAiRequest request) {
    this.call = call;
    this.generation = generation;
    this.format = format;
    this.request = request;
  }

  @Override
  public void begin() {}

  @Override
  public void emit(int produced, @Nullable FinishReason finish) {}

  @Override
  public void complete(int produced, FinishReason finish) throws IOException {
    ObjectNode choice = format.fullChoice(generation, produced, finish, request.logprobs());
    ObjectNode body = OpenAiJson.envelope(generation, format.object(), Json.array().add(choice));
    body.set("usage", OpenAiJson.usage(generation, produced));
    body.putObject("metadata").put("weight_version", generation.weightVersion());
    Responses.json(call, 200, body);
  }
}
