package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs HTTP calls to workers: builds each request (URL, headers, body), sets the call timeout from
 * the request's deadline, ties the call to the context's cancellation, and maps every outcome to a
 * result or a router exception.
 *
 * <h2>Headers</h2>
 *
 * {@code X-Request-Id} carries the request id and {@code Authorization: Bearer <key>} the worker's
 * API key, if it has one. The context's headers (worker headers, then request headers) come next
 * and replace a default of the same name, except {@code X-Request-Id} and {@code Content-Type},
 * which the transport always sets itself.
 *
 * <p>Instances are thread-safe; their only state is a cache of parsed worker URLs. Asynchronous
 * calls complete their futures on OkHttp's dispatcher threads.
 */
public final class HttpCalls {

  private static final Logger log = LoggerFactory.getLogger(HttpCalls.class);

  private static final MediaType JSON = MediaType.get("application/json");

  /**
   * The longest call timeout set; a longer remaining time (a router without a deadline) gets this
   * one, which keeps okio's deadline arithmetic from overflowing.
   */
  static final Duration MAX_CALL_TIMEOUT = Duration.ofDays(365);

  private final OkHttpClient client;
  private final Failures failures;
  private final JsonCodec json;
  private final WorkerUrls urls = new WorkerUrls();

  /**
   * Reads a successful answer's body.
   *
   * @param <T> the result type
   */
  @FunctionalInterface
  public interface BodyDecoder<T> {
    /**
     * Decodes the body.
     *
     * @param body the bytes
     * @return the result
     * @throws JsonShapeException if the body has the wrong shape
     */
    T decode(byte[] body);
  }

  /**
   * Creates the runner.
   *
   * @param client the client to call with
   * @param json the JSON codec
   * @param failures the failure mapper
   */
  public HttpCalls(OkHttpClient client, JsonCodec json, Failures failures) {
    this.client = client;
    this.json = json;
    this.failures = failures;
  }

  /**
   * Posts a JSON body and decodes the JSON answer, asynchronously. Never throws.
   *
   * @param <T> the result type
   * @param worker the worker
   * @param path the path below the worker's base URL, such as {@code /generate}
   * @param body the JSON body
   * @param context the call's context
   * @param decoder reads the answer
   * @return a future completed on an OkHttp thread
   */
  public <T> CompletableFuture<T> post(
      Worker worker, String path, byte[] body, CallContext context, BodyDecoder<T> decoder) {
    return enqueue(worker, path, body, context, decoder);
  }

  /**
   * Sends {@code GET {base}{path}} and decodes the answer, asynchronously. Never throws.
   *
   * @param <T> the result type
   * @param worker the worker
   * @param path the path and query below the worker's base URL, such as {@code /metrics}
   * @param context the call's context
   * @param decoder reads the answer
   * @return a future completed on an OkHttp thread
   */
  public <T> CompletableFuture<T> get(
      Worker worker, String path, CallContext context, BodyDecoder<T> decoder) {
    return enqueue(worker, path, null, context, decoder);
  }

  /**
   * Sends {@code GET {base}/health}; completes normally on a 2xx answer. Never throws.
   *
   * @param worker the worker
   * @param context the probe's context
   * @return a future completed on an OkHttp thread
   */
  public CompletableFuture<Void> health(Worker worker, CallContext context) {
    return health(worker, "/health", context);
  }

  /**
   * Sends {@code GET {base}{path}}; completes normally on a 2xx answer. Never throws.
   *
   * @param worker the worker
   * @param path the probe path, such as {@code /health_generate}
   * @param context the call's context
   * @return the future
   */
  public CompletableFuture<Void> health(Worker worker, String path, CallContext context) {
    return enqueue(worker, path, null, context, null);
  }

  /**
   * Sends SGLang's {@code POST {base}/abort_request {"rid": id}}; completes normally on a 2xx
   * answer (SGLang answers 200 also for ids it does not know). Never throws.
   *
   * @param worker the worker
   * @param requestId the id of the request to abort
   * @param context the call's context
   * @return the future
   */
  public CompletableFuture<Void> abort(Worker worker, String requestId, CallContext context) {
    com.fasterxml.jackson.databind.node.ObjectNode body = json.newObject();
    body.put("rid", requestId);
    return enqueue(worker, "/abort_request", json.write(body), context, null);
  }

  private <T> CompletableFuture<T> enqueue(
      Worker worker,
      String path,
      byte @Nullable [] body,
      CallContext context,
      @Nullable BodyDecoder<T> decoder) {
    Prepared prepared;
    try {
      prepared = prepare(worker, path, body, context, false);
    } catch (RouterException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new RouterException(
              "could not start the call to worker '" + worker.id() + "': "
                  + e.getClass().getSimpleName(),
              e));
    }
    CompletableFuture<T> future = new CompletableFuture<>();
    Duration timeout = prepared.timeout();
    prepared.call().enqueue(
        new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            RouterException failure = failures.fromIo(e, worker, context, timeout, false);
            log.debug(
                "{} {} on worker {} for request {} failed: {}",
                call.request().method(),
                path,
                worker.id(),
                context.requestId(),
                failure.toString());
            future.completeExceptionally(failure);
          }

          @Override
          public void onResponse(Call call, Response response) {
            try {
              future.complete(read(worker, path, context, timeout, response, decoder));
            } catch (RouterException e) {
              future.completeExceptionally(e);
            }
          }
        });
    return future;
  }

  /**
   * Posts a JSON body and decodes the JSON answer on the calling thread.
   *
   * @param <T> the result type
   * @param worker the worker
   * @param path the path below the worker's base URL, such as {@code /generate}
   * @param body the JSON body
   * @param context the call's context
   * @param decoder reads the answer
   * @return the decoded answer
   * @throws RouterException if the call failed
   */
  public <T> T postBlocking(
      Worker worker, String path, byte[] body, CallContext context, BodyDecoder<T> decoder) {
    Prepared prepared = prepare(worker, path, body, context, false);
    Response response;
    try {
      response = prepared.call().execute();
    } catch (IOException e) {
      RouterException failure = failures.fromIo(e, worker, context, prepared.timeout(), false);
      log.debug(
          "POST {} on worker {} for request {} failed: {}",
          path, worker.id(), context.requestId(), failure.toString());
      throw failure;
    }
    return read(worker, path, context, prepared.timeout(), response, decoder);
  }

  /** Reads an answer: its status, then its body through the decoder; closes the response. */
  private <T> T read(
      Worker worker,
      String path,
      CallContext context,
      Duration timeout,
      Response response,
      @Nullable BodyDecoder<T> decoder) {
    try (response) {
      if (!response.isSuccessful()) {
        log.debug(
            "{} {} on worker {} for request {}: HTTP {}",
            response.request().method(), path, worker.id(), context.requestId(),
            response.code());
        throw failures.httpStatus(worker, response);
      }
      if (decoder == null) {
        return null;
      }
      byte[] bytes;
      try {
        bytes = response.body().bytes();
      } catch (IOException e) {
        throw failures.fromIo(e, worker, context, timeout, false);
      }
      return decoder.decode(bytes);
    } catch (ErrorReportException e) {
      throw failures.errorReport(worker, e);
    } catch (JsonShapeException e) {
      throw failures.malformed(worker, e.getMessage(), e);
    } catch (RouterException e) {
      throw e;
    } catch (RuntimeException e) {
      // A value the result types refuse (such as a negative count) is a malformed answer.
      throw failures.malformed(worker, "could not read the answer: " + e, e);
    }
  }

  /**
   * Posts a JSON body and returns the event stream once the worker accepted it (status and headers
   * received). Blocks the calling thread until then.
   *
   * @param <T> the chunk type
   * @param worker the worker
   * @param path the path below the worker's base URL
   * @param body the JSON body
   * @param context the call's context
   * @param decoder turns events into chunks
   * @return the chunk source
   * @throws RouterException if the call failed before the stream started
   */
  public <T> ChunkSource<T> stream(
      Worker worker, String path, byte[] body, CallContext context, StreamDecoder<T> decoder) {
    Prepared prepared = prepare(worker, path, body, context, true);
    Call call = prepared.call();
    Response response;
    try {
      response = call.execute();
    } catch (IOException e) {
      RouterException failure = failures.fromIo(e, worker, context, prepared.timeout(), false);
      log.debug(
          "stream {} on worker {} for request {} failed: {}",
          path, worker.id(), context.requestId(), failure.toString());
      throw failure;
    }
    if (!response.isSuccessful()) {
      try (response) {
        log.debug(
            "stream {} on worker {} for request {}: HTTP {}",
            path, worker.id(), context.requestId(), response.code());
        throw failures.httpStatus(worker, response);
      }
    }
    MediaType type = response.body().contentType();
    if (type != null && type.subtype().toLowerCase(Locale.ROOT).equals("json")) {
      // One JSON document instead of an event stream: an error report, or a server that ignored
      // "stream": true.
      try (response) {
        throw notAStream(worker, response);
      }
    }
    return new SseChunkSource<>(
        call, response, decoder, worker, context, prepared.timeout(), failures);
  }

  private RouterException notAStream(Worker worker, Response response) {
    String text;
    try {
      BufferedSource source = response.body().source();
      source.request(Failures.MAX_ERROR_BODY_BYTES);
      long n = Math.min(source.getBuffer().size(), Failures.MAX_ERROR_BODY_BYTES);
      text = source.getBuffer().readString(n, StandardCharsets.UTF_8);
    } catch (IOException e) {
      text = "";
    }
    JsonNode node = json.tryParse(text);
    if (node != null && node.isObject() && EventJson.isError(node)) {
      return failures.streamError(worker, node, text);
    }
    return failures.malformed(
        worker, "expected an event stream, but the worker answered with one JSON document", null);
  }

  private record Prepared(Call call, Duration timeout) {}

  private Prepared prepare(
      Worker worker, String path, byte @Nullable [] body, CallContext context, boolean stream) {
    String requestId = context.requestId();
    if (context.isCancelled()) {
      throw new RequestCancelledException(requestId);
    }
    Duration remaining = context.remaining();
    if (remaining.isNegative() || remaining.isZero()) {
      throw new RequestTimeoutException(requestId, context.timeout());
    }
    Request request = request(worker, path, body, context, stream);
    Call call = client.newCall(request);
    Duration timeout = remaining.compareTo(MAX_CALL_TIMEOUT) > 0 ? MAX_CALL_TIMEOUT : remaining;
    call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    context.onCancel(call::cancel);
    if (log.isDebugEnabled()) {
      log.debug(
          "{} {} on worker {} for request {}",
          body == null ? "GET" : "POST", path, worker.id(), requestId);
    }
    return new Prepared(call, timeout);
  }

  private Request request(
      Worker worker, String path, byte @Nullable [] body, CallContext context, boolean stream) {
    HttpUrl url = urls.resolve(worker.baseUrl(), path);
    if (url == null) {
      throw new RouterException(
          "baseUrl of worker '" + worker.id() + "' is not an http or https URL");
    }
    Headers.Builder headers = new Headers.Builder();
    headers.set("Accept", stream ? "text/event-stream" : "application/json");
    String apiKey = worker.apiKey();
    if (apiKey != null) {
      if (!isHeaderSafe(apiKey)) {
        // Never show the key: OkHttp's own message would.
        throw new RouterException(
            "apiKey of worker '" + worker.id()
                + "' contains a character that is not allowed in an HTTP header");
      }
      headers.set("Authorization", "Bearer " + apiKey);
    }
    for (Map.Entry<String, String> h : context.headers().entrySet()) {
      String name = h.getKey();
      if (isTransportHeader(name)) {
        continue;
      }
      try {
        headers.removeAll(name);
        headers.addUnsafeNonAscii(name, h.getValue());
      } catch (IllegalArgumentException e) {
        throw new RouterException(
            "header '" + name + "' for worker '" + worker.id() + "' is not a valid HTTP header");
      }
    }
    headers.removeAll("X-Request-Id");
    headers.addUnsafeNonAscii("X-Request-Id", context.requestId());
    Request.Builder builder = new Request.Builder().url(url).headers(headers.build());
    if (body != null) {
      builder.post(new OneShotBody(body));
    }
    return builder.build();
  }

  /**
   * Headers the transport sets or that only the connection may set (hop-by-hop and framing
   * headers, which are never forwarded): a caller's value would break
   * the call (a forwarded {@code Accept-Encoding} turns off OkHttp's transparent decompression, so
   * a compressing proxy's answers could not be read; a wrong {@code Content-Length} corrupts the
   * request).
   */
  private static boolean isTransportHeader(String name) {
    return name.equalsIgnoreCase("X-Request-Id")
        || name.equalsIgnoreCase("Content-Type")
        || name.equalsIgnoreCase("Content-Length")
        || name.equalsIgnoreCase("Accept-Encoding")
        || name.equalsIgnoreCase("Transfer-Encoding")
        || name.equalsIgnoreCase("Connection");
  }

  /**
   * A JSON request body that OkHttp may send only once. OkHttp otherwise sends a request again on
   * a new connection when a reused one breaks after the request went out, unseen by the router: a
   * generation could run twice, or a weight update be applied twice. It still retries a request
   * that never left (a connection that failed to open); a request that did leave fails with {@code
   * CONNECTION}, and the router's retry policy decides.
   */
  private static final class OneShotBody extends RequestBody {
    private final byte[] body;

    OneShotBody(byte[] body) {
      this.body = body;
    }

    @Override
    public MediaType contentType() {
      return JSON;
    }

    @Override
    public long contentLength() {
      return body.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(body);
    }

    @Override
    public boolean isOneShot() {
      return true;
    }
  }

  private static boolean isHeaderSafe(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
