package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.RecordedRequest;
import org.jspecify.annotations.Nullable;

/**
 * One request as an endpoint sees it.
 *
 * @param exchange the HTTP exchange to answer on
 * @param request the recorded request
 * @param json the parsed body; a missing node if it was empty or not JSON
 * @param flight the request's in-flight handle
 * @param fault the fault picked for this request, or null
 * @param startNanos {@link System#nanoTime()} when the request arrived
 * @param context the worker's shared state
 */
record Call(
    HttpExchange exchange,
    RecordedRequest request,
    JsonNode json,
    InFlight flight,
    @Nullable Fault fault,
    long startNanos,
    WorkerContext context) {

  /**
   * Ends the request's in-flight accounting. Called before the last byte of a response goes out,
   * so that a client holding a complete response never sees its request still counted as active.
   */
  void release() {
    context.flights().unregister(flight);
  }

  /** Returns this call with the fault picked for it. */
  Call withFault(@Nullable Fault picked) {
    return new Call(exchange, request, json, flight, picked, startNanos, context);
  }
}
