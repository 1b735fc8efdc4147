package io.flexroute.testkit.worker.internal;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/** Answers a non-streaming {@code /generate} with one JSON object once generation ends. */
final class NativeBodySink implements TokenSink {

  private final Call call;
  private final Generation generation;
  private final NativeRequest.LogprobRequest logprobs;

  NativeBodySink(Call call, Generation generation, NativeRequest.LogprobRequest logprobs) {
    this.call = call;
    this.generation = generation;
    this.logprobs = logprobs;
  }

  @Override
  public void begin() {}

  @Override
  public void emit(int produced, @Nullable FinishReason finish) {}

  @Override
  public void complete(int produced, FinishReason finish) throws IOException {
    Responses.json(
        call, 200, NativeJson.result(generation, logprobs, 0, produced, finish));
  }
}
