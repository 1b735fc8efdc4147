package io.flexroute.testkit.worker.internal;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Receives a generation's progress and renders it in one protocol, streamed or not. The runner
 * calls {@link #begin()} once, {@link #emit} once per token and once more with the finish reason,
 * then {@link #complete} once.
 */
interface TokenSink {

  /** Called when the request is admitted, before the time to first token; streams send headers. */
  void begin() throws IOException;

  /**
   * Reports progress: {@code produced} tokens exist so far. {@code finish} is non-null on the
   * last call; that call may carry a new token or none (for an abort or an empty answer).
   */
  void emit(int produced, @Nullable FinishReason finish) throws IOException;

  /** Ends the response after the last {@link #emit}. */
  void complete(int produced, FinishReason finish) throws IOException;
}
