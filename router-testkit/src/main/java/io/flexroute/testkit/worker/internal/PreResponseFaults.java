package io.flexroute.testkit.worker.internal;

import com.sun.net.httpserver.HttpExchange;
import io.flexroute.testkit.worker.Fault;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Carries out the faults that act before the endpoint answers: fixed statuses, delays, stalls,
 * malformed bodies and dropped connections. Stream and abort faults are left to the endpoint.
 */
final class PreResponseFaults {

  private static final String CUT_OFF_JSON = "{\"text\": \" the model routes";

  private PreResponseFaults() {}

  /**
   * Applies the fault.
   *
   * @return true if the fault produced the whole response, false if the endpoint should answer
   * @throws ConnectionDrop when the fault (or the worker closing during it) drops the connection
   */
  static boolean apply(Call call, Fault fault) throws IOException {
    HttpExchange exchange = call.exchange();
    switch (fault.kind()) {
      case STATUS:
        fault.headers().forEach(exchange.getResponseHeaders()::set);
        Responses.bytes(
            call,
            fault.statusCode(),
            guessContentType(fault.body()),
            fault.body().getBytes(StandardCharsets.UTF_8));
        return true;
      case DELAY:
        StopReason stop = call.flight().await(fault.delay());
        if (stop == StopReason.CLOSED || stop == StopReason.RELEASED) {
          throw new ConnectionDrop("worker closing during a delay fault");
        }
        return false;
      case STALL_BEFORE_HEADERS:
        stall(call);
        throw new ConnectionDrop("stall before headers ended");
      case STALL_AFTER_HEADERS:
        if (call.request().streaming()) {
          SseWriter.sendHeaders(exchange);
        } else {
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, 0);
        }
        stall(call);
        throw new ConnectionDrop("stall after headers ended");
      case MALFORMED_JSON:
        sendMalformed(call);
        return true;
      case CLOSE_CONNECTION:
        throw new ConnectionDrop("fault: close connection");
      default:
        return false;
    }
  }

  private static void stall(Call call) {
    call.context().flights().markStalled(call.flight());
    call.flight().await(call.context().settings().stallLimit());
  }

  private static void sendMalformed(Call call) throws IOException {
    HttpExchange exchange = call.exchange();
    if (!call.request().streaming()) {
      Responses.bytes(
          call, 200, "application/json", CUT_OFF_JSON.getBytes(StandardCharsets.UTF_8));
      return;
    }
    SseWriter.sendHeaders(exchange);
    call.release();
    try (OutputStream out = exchange.getResponseBody()) {
      String events = "data: " + CUT_OFF_JSON + "\n\ndata: [DONE]\n\n";
      out.write(events.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String guessContentType(String body) {
    String trimmed = body.stripLeading();
    return trimmed.startsWith("{") || trimmed.startsWith("[")
        ? "application/json"
        : "text/plain; charset=utf-8";
  }
}
