package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.flexroute.testkit.worker.Fault;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Writes an SSE response ({@code data: <json>\n\n} events, then {@code data: [DONE]\n\n}), one
 * flushed HTTP chunk per event, and carries out the stream faults at the right event.
 */
final class SseWriter {

  private final Call call;
  private final OutputStream out;
  private final @Nullable Fault fault;
  private final Protocol protocol;
  private int sent;

  private SseWriter(Call call, Protocol protocol) {
    this.call = call;
    this.out = call.exchange().getResponseBody();
    this.fault = call.fault();
    this.protocol = protocol;
  }

  /** Sends the 200 and the SSE headers and returns a writer for the call's events. */
  static SseWriter open(Call call, Protocol protocol) throws IOException {
    sendHeaders(call.exchange());
    return new SseWriter(call, protocol);
  }

  /** Sends the 200 and the SSE headers with a chunked body. */
  static void sendHeaders(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
  }

  void event(JsonNode data) throws IOException {
    strikeIfDue(false);
    write("data: " + Json.write(data) + "\n\n");
    sent++;
  }

  void done() throws IOException {
    strikeIfDue(true);
    write("data: [DONE]\n\n");
  }

  /**
   * Carries out the stream fault once its event count is reached, or at the latest instead of
   * {@code data: [DONE]}, so that a fault never goes unnoticed on a short answer.
   */
  private void strikeIfDue(boolean atDone) throws IOException {
    if (fault == null || (!atDone && sent < fault.after())) {
      return;
    }
    switch (fault.kind()) {
      case TRUNCATED_SSE:
        call.release();
        call.exchange().close();
        throw new StreamStopped();
      case DISCONNECT_MID_STREAM:
        out.flush();
        throw new ConnectionDrop("fault: disconnect after " + sent + " events");
      case SSE_ERROR:
        call.release();
        ObjectNode error = protocol.error(fault.errorCode(), fault.message(), null);
        write("data: " + Json.write(error) + "\n\n");
        write("data: [DONE]\n\n");
        call.exchange().close();
        throw new StreamStopped();
      default:
        break;
    }
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
