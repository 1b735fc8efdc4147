package io.flexroute.testkit.worker.internal;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Streams a {@code /generate} answer: one SSE chunk per token, cumulative by default (whole text,
 * ids and logprobs so far) or deltas in incremental mode, the finish reason on the last chunk,
 * then {@code data: [DONE]}.
 */
final class NativeStreamSink implements TokenSink {

  private final Call call;
  private final Generation generation;
  private final NativeRequest.LogprobRequest logprobs;
  private final boolean incremental;
  private @Nullable SseWriter writer;
  private int sent;

  NativeStreamSink(Call call, Generation generation, NativeRequest.LogprobRequest logprobs) {
    this.call = call;
    this.generation = generation;
    this.logprobs = logprobs;
    this.incremental = call.context().settings().incrementalStreamOutput();
  }

  @Override
  public void begin() throws IOException {
    writer = SseWriter.open(call, Protocol.NATIVE);
  }

  @Override
  public void emit(int produced, @Nullable FinishReason finish) throws IOException {
    int from = incremental ? sent : 0;
    writer().event(NativeJson.result(generation, logprobs, from, produced, finish));
    sent = produced;
  }

  @Override
  public void complete(int produced, FinishReason finish) throws IOException {
    writer().done();
  }

  private SseWriter writer() {
    if (writer == null) {
      throw new IllegalStateException("begin() was not called");
    }
    return writer;
  }
}
