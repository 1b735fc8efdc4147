package io.flexroute.testkit.worker.internal;

import io.flexroute.testkit.worker.Fault;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Paces a generation token by token (time to first token, then the inter-token delay), reacting
 * to aborts, abort faults, paused generation and the worker's close, and reports to a {@link
 * TokenSink}.
 */
final class GenerationRunner {

  static final String USER_ABORT_MESSAGE = "Abort requested through /abort_request.";

  private GenerationRunner() {}

  static void run(Call call, Generation generation, TokenSink sink) throws IOException {
    WorkerSettings settings = call.context().settings();
    InFlight flight = call.flight();
    GeneratedOutput output = generation.output();
    int total = output.length();
    Fault fault = call.fault();
    boolean abortFault = fault != null && fault.kind() == Fault.Kind.ABORT_FINISH;
    int abortAt = abortFault ? Math.min(fault.after(), total) : -1;
    String abortMessage = abortFault ? fault.message() : "";

    PauseGate pause = call.context().pause();
    StopReason stop = pause.awaitStart(flight);
    if (stop == StopReason.CLOSED || stop == StopReason.RELEASED) {
      throw new ConnectionDrop("worker closing");
    }
    sink.begin();
    if (stop == null) {
      stop = flight.await(settings.ttft());
    }
    int produced = 0;
    while (true) {
      if (stop == StopReason.CLOSED || stop == StopReason.RELEASED) {
        throw new ConnectionDrop("worker closing");
      }
      @Nullable FinishReason finish = null;
      if (stop == StopReason.ABORTED) {
        finish = FinishReason.abort(USER_ABORT_MESSAGE);
      } else if (produced == abortAt) {
        finish = FinishReason.abort(abortMessage);
      } else if (produced == total) {
        finish = output.finish();
      }
      if (finish != null) {
        end(call, generation, sink, produced, finish);
        return;
      }
      generation.produced(produced);
      produced++;
      flight.setGeneratedTokens(produced);
      if (produced == total && abortAt != total) {
        end(call, generation, sink, produced, output.finish());
        return;
      }
      sink.emit(produced, null);
      stop = flight.await(settings.interTokenDelay());
      if (stop == null && pause.paused()) {
        stop = pause.awaitNextToken(flight);
      }
    }
  }

  /**
   * Finishes the bookkeeping before the last bytes go out, so that a client holding the complete
   * answer already sees the prefix cache updated and the request no longer active.
   */
  private static void end(
      Call call, Generation generation, TokenSink sink, int produced, FinishReason finish)
      throws IOException {
    generation.remember(produced);
    call.release();
    sink.emit(produced, finish);
    sink.complete(produced, finish);
  }
}
