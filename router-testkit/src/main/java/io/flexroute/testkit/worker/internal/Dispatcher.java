package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single HTTP handler: records each request, checks the API key, applies the picked fault and
 * hands the request to its endpoint.
 *
 * <p>Every path out of {@link #handle} either completes the response and closes the exchange, or
 * throws an {@link IOException} so that the JDK server drops the connection; a handler that did
 * neither would leave the client waiting forever.
 */
final class Dispatcher implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final WorkerContext context;
  private final RouteTable routes;

  Dispatcher(WorkerContext context, RouteTable routes) {
    this.context = context;
    this.routes = routes;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long startNanos = System.nanoTime();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    Route route = routes.find(path);
    boolean served = route != null && route.methods().contains(method);
    boolean generation = served && route.generation();
    JsonNode parsed = Json.tryParse(body);
    JsonNode json = parsed == null ? MissingNode.getInstance() : parsed;
    boolean streaming = generation && json.path("stream").asBoolean(false);
    RecordedRequest request =
        new RecordedRequest(
            context.log().nextSequence(),
            Instant.now(),
            method,
            path,
            exchange.getRequestURI().getRawQuery(),
            exchange.getRequestHeaders(),
            body,
            generation,
            streaming);
    // Registered before it is logged: a test that sees the request recorded can already abort it.
    InFlight flight = context.flights().register(generation ? rid(json, route) : null, generation);
    context.log().add(request);
    Call call = new Call(exchange, request, json, flight, null, startNanos, context);
    boolean dropped = false;
    try {
      if (!authorized(exchange, path)) {
        Responses.json(call, 401, unauthorized());
        return;
      }
      Fault fault = context.faults().select(request);
      call = call.withFault(fault);
      if (fault != null && PreResponseFaults.apply(call, fault)) {
        return;
      }
      if (route == null) {
        Responses.json(call, 404, ErrorBodies.detail("Not Found"));
      } else if (!served) {
        exchange.getResponseHeaders().set("Allow", String.join(", ", route.methods()));
        Responses.json(call, 405, ErrorBodies.detail("Method Not Allowed"));
      } else if (parsed == null) {
        Responses.json(call, 400, malformedBody(route.protocol()));
      } else {
        route.endpoint().handle(call);
      }
    } catch (StreamStopped e) {
      log.trace("A stream fault ended {} {}", method, path);
    } catch (IOException e) {
      dropped = true;
      log.trace("Connection for {} {} dropped: {}", method, path, e.toString());
      throw e;
    } catch (RuntimeException e) {
      log.warn("The fake worker failed on {} {}", method, path, e);
      if (exchange.getResponseCode() != -1) {
        dropped = true;
        throw new ConnectionDrop("internal failure after the headers were sent");
      }
      Responses.json(
          call, 500, ErrorBodies.flat(500, String.valueOf(e), "InternalServerError"));
    } finally {
      context.flights().unregister(flight);
      if (!dropped) {
        exchange.close();
      }
    }
  }

  private static String rid(JsonNode json, @Nullable Route route) {
    JsonNode rid = json.path("rid");
    if (rid.isTextual() && !rid.textValue().isEmpty()) {
      return rid.textValue();
    }
    String prefix = route == null || route.ridPrefix() == null ? "" : route.ridPrefix();
    return prefix + UUID.randomUUID().toString().replace("-", "");
  }

  private boolean authorized(HttpExchange exchange, String path) {
    String key = context.settings().apiKey();
    if (key == null || path.startsWith("/health")) {
      return true;
    }
    return ("Bearer " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"));
  }

  private static JsonNode unauthorized() {
    return Json.object().put("error", "Unauthorized");
  }

  private static JsonNode malformedBody(Protocol protocol) {
    String message = "The request body is not valid JSON.";
    return protocol == Protocol.OPENAI
        ? ErrorBodies.openAi(400, message, null)
        : ErrorBodies.flat(400, message, "Bad Request");
  }
}
