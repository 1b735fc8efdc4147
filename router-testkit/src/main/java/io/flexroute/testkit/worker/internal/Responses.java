package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes complete (non-streamed) responses, releasing the request's in-flight accounting first
 * (see {@link Call#release()}).
 */
final class Responses {

  private Responses() {}

  static void json(Call call, int status, JsonNode body) throws IOException {
    bytes(call, status, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
  }

  static void text(Call call, int status, String body) throws IOException {
    bytes(call, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a status with an empty body ({@code Content-Length: 0}). */
  static void empty(Call call, int status) throws IOException {
    call.release();
    call.exchange().sendResponseHeaders(status, -1);
  }

  static void bytes(Call call, int status, String contentType, byte[] body) throws IOException {
    call.release();
    HttpExchange exchange = call.exchange();
    if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    if (body.length == 0) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
