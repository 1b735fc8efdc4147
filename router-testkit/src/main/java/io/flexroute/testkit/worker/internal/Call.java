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
    WorkerContext context) {}
