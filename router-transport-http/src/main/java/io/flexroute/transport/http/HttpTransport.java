package io.flexroute.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestRejectedException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.ControlRejectedException;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.InitWeightsUpdateGroup;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.UpdateWeightsFromDistributed;
import io.flexroute.fleet.WorkerInfo;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import io.flexroute.spi.Transport;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.transport.http.internal.ControlCodec;
import io.flexroute.transport.http.internal.Failures;
import io.flexroute.transport.http.internal.GenerateCodec;
import io.flexroute.transport.http.internal.HttpCalls;
import io.flexroute.transport.http.internal.JsonCodec;
import io.flexroute.transport.http.internal.JsonShapeException;
import io.flexroute.transport.http.internal.LoadCodec;
import io.flexroute.transport.http.internal.OpenAiCodec;
import io.flexroute.transport.http.internal.StreamDecoders;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The OkHttp {@link Transport}: carries routed requests to SGLang ({@code POST /generate} and the
 * OpenAI endpoints), vLLM and other OpenAI-compatible workers over {@code http} and {@code https},
 * and streams answers as server-sent events that the caller pulls.
 *
 * <pre>{@code
 * Transport transport = HttpTransport.builder()
 *     .connectTimeout(Duration.ofSeconds(5))
 *     .readTimeout(Duration.ofMinutes(10))
 *     .build();
 * }</pre>
 *
 * <h2>Sharing and lifecycle</h2>
 *
 * Instances are thread-safe; one transport serves every request of a router. Given a client with
 * {@link Builder#okHttpClient(OkHttpClient)}, the transport uses it as it is and {@link #close()}
 * leaves it alone. Otherwise the transport creates one client (a dispatcher with daemon threads and
 * a connection pool), and {@code close()} shuts the dispatcher's threads down and evicts the pool's
 * idle connections; calls in flight finish first.
 *
 * <h2>Calls</h2>
 *
 * Each call gets OkHttp's call timeout from the request's remaining time ({@link
 * CallContext#remaining()}), is cancelled when the context is, and sends {@code X-Request-Id}, the
 * worker's API key as a bearer token, and the worker's and request's headers. Asynchronous results
 * complete on OkHttp's dispatcher threads; stream methods block until the worker accepted the
 * stream. The documentation in {@code docs/transports.md} maps every field and error.
 */
public final class HttpTransport implements Transport {

  /** The connect timeout of a client the transport creates: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The read timeout (the longest silence between two reads) of a client the transport creates: 5
   * minutes, since SGLang holds requests without answering while it updates weights or is paused.
   */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMinutes(5);

  /**
   * The write timeout (the longest stall while sending a body) of a client the transport creates:
   * 5 minutes, as the read timeout; every call's own timeout (the request's deadline, 60 seconds by
   * default) ends a stalled write sooner. Not shorter: Okio keeps one queue of pending timeouts,
   * ordered by expiry, and wakes its watchdog thread whenever a new one goes to the head. A write
   * timeout shorter than every call timeout put each request's write at the head and cost a thread
   * wake-up per request (about 4 µs of CPU per request on a 2-core machine).
   */
  public static final Duration DEFAULT_WRITE_TIMEOUT = DEFAULT_READ_TIMEOUT;

  /** The most asynchronous calls run at once by a client the transport creates: 1024. */
  public static final int DEFAULT_MAX_REQUESTS = 1024;

  /**
   * The most asynchronous calls run at once to one host by a client the transport creates: 1024,
   * since every request to a worker goes to the same host.
   */
  public static final int DEFAULT_MAX_REQUESTS_PER_HOST = 1024;

  /** The most idle connections kept by a client the transport creates: 256. */
  public static final int DEFAULT_MAX_IDLE_CONNECTIONS = 256;

  /**
   * How long an idle connection is kept by a client the transport creates: 4 seconds, just under
   * the 5-second keep-alive of the uvicorn servers in front of SGLang and vLLM, so that the pool
   * does not hand out connections the worker has already closed.
   */
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(4);

  private static final String NAME = "http";

  private final OkHttpClient client;
  private final boolean ownsClient;
  private final JsonCodec json;
  private final Failures failures;
  private final HttpCalls calls;
  // Control calls (weight updates, group joins, pauses) may rightly wait longer than the client's
  // read timeout for their answer: SGLang holds an update behind running requests, a group join
  // until the trainer joins. Only the call's own timeout (the broadcast's) bounds them. Same
  // connection pool and dispatcher.
  private final HttpCalls controlCalls;
  private final LoadCodec loads;
  private final GenerateCodec generateCodec;
  private final OpenAiCodec openAiCodec;
  private final ControlCodec controlCodec;
  private final AtomicBoolean closed = new AtomicBoolean();

  private HttpTransport(Builder b) {
    if (b.client != null) {
      this.client = b.client;
      this.ownsClient = false;
    } else {
      this.client = b.newClient();
      this.ownsClient = true;
    }
    this.json = b.mapper != null ? JsonCodec.copyOf(b.mapper) : JsonCodec.createDefault();
    this.failures = new Failures(json);
    this.calls = new HttpCalls(client, json, failures);
    this.controlCalls =
        new HttpCalls(client.newBuilder().readTimeout(Duration.ZERO).build(), json, failures);
    this.loads = new LoadCodec(json);
    this.generateCodec = new GenerateCodec(json);
    this.openAiCodec = new OpenAiCodec(json);
    this.controlCodec = new ControlCodec(json, failures);
  }

  /**
   * Starts a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A transport with default settings and a client of its own.
   *
   * @return the transport
   */
  public static HttpTransport create() {
    return builder().build();
  }

  /** Returns {@code "http"}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Whether the worker's URL scheme is {@code http} or {@code https}.
   *
   * @param worker the worker
   * @return {@code true} for http and https workers
   */
  @Override
  public boolean supports(Worker worker) {
    String scheme = worker.scheme();
    return "http".equals(scheme) || "https".equals(scheme);
  }

  /**
   * Sends {@code POST {base}/generate}. Only SGLang-flavoured workers serve it, and only with
   * {@code n} = 1, since the result holds one sample; other requests fail with {@link
   * RequestRejectedException} ({@code UNSUPPORTED}) before anything is sent.
   */
  @Override
  public CompletableFuture<GenerateResult> generate(
      Worker worker, GenerateRequest request, CallContext context) {
    return postAsync(worker, context, () -> generatePost(worker, request, context));
  }

  /**
   * Runs {@code POST {base}/generate} on the calling thread, its I/O included. The same
   * restrictions as for {@link #generate} apply. OkHttp's socket reads cannot be interrupted: an
   * interrupt is noticed when the read returns or the deadline passes.
   */
  @Override
  public GenerateResult generateBlocking(
      Worker worker, GenerateRequest request, CallContext context) {
    return postBlocking(worker, context, () -> generatePost(worker, request, context));
  }

  /**
   * Streams {@code POST {base}/generate}, turning SGLang's cumulative chunks into deltas. The same
   * restrictions as for {@link #generate} apply.
   */
  @Override
  public ChunkSource<GenerateChunk> generateStream(
      Worker worker, GenerateRequest request, CallContext context) {
    return blocking(
        () -> {
          checkGenerate(worker, request);
          byte[] body = generateCodec.encode(request, context.requestId(), true);
          return calls.stream(
              worker,
              "/generate",
              body,
              context,
              StreamDecoders.generate(json, failures, worker, context.requestId()));
        });
  }

  /** Sends {@code POST {base}/v1/chat/completions}. */
  @Override
  public CompletableFuture<ChatCompletion> chat(
      Worker worker, ChatRequest request, CallContext context) {
    return postAsync(worker, context, () -> chatPost(worker, request, context));
  }

  /** Runs {@code POST {base}/v1/chat/completions} on the calling thread, its I/O included. */
  @Override
  public ChatCompletion chatBlocking(Worker worker, ChatRequest request, CallContext context) {
    return postBlocking(worker, context, () -> chatPost(worker, request, context));
  }

  /** Streams {@code POST {base}/v1/chat/completions}. */
  @Override
  public ChunkSource<ChatChunk> chatStream(
      Worker worker, ChatRequest request, CallContext context) {
    return blocking(
        () -> {
          byte[] body =
              openAiCodec.encodeChat(request, worker.flavor(), context.requestId(), true);
          return calls.stream(
              worker,
              "/v1/chat/completions",
              body,
              context,
              StreamDecoders.chat(openAiCodec, json, failures, worker, context.requestId()));
        });
  }

  /** Sends {@code POST {base}/v1/completions}. */
  @Override
  public CompletableFuture<TextCompletion> complete(
      Worker worker, CompletionRequest request, CallContext context) {
    return postAsync(worker, context, () -> completionPost(worker, request, context));
  }

  /** Runs {@code POST {base}/v1/completions} on the calling thread, its I/O included. */
  @Override
  public TextCompletion completeBlocking(
      Worker worker, CompletionRequest request, CallContext context) {
    return postBlocking(worker, context, () -> completionPost(worker, request, context));
  }

  /** Streams {@code POST {base}/v1/completions}. */
  @Override
  public ChunkSource<CompletionChunk> completeStream(
      Worker worker, CompletionRequest request, CallContext context) {
    return blocking(
        () -> {
          byte[] body =
              openAiCodec.encodeCompletion(request, worker.flavor(), context.requestId(), true);
          return calls.stream(
              worker,
              "/v1/completions",
              body,
              context,
              StreamDecoders.completion(
                  openAiCodec, json, failures, worker, context.requestId()));
        });
  }

  /** Sends {@code GET {base}/health}; any 2xx answer means healthy. */
  @Override
  public CompletableFuture<Void> checkHealth(Worker worker, CallContext context) {
    return async(() -> calls.health(worker, context));
  }

  /** Sends {@code GET {base}{path}}; any 2xx answer means healthy. */
  @Override
  public CompletableFuture<Void> checkHealth(Worker worker, String path, CallContext context) {
    return async(() -> calls.health(worker, path, context));
  }

  /**
   * Reads the load a worker reports: for SGLang workers {@code GET /v1/loads?include=core,queues},
   * falling back to {@code GET /metrics} when that fails (older SGLang builds answer 404; {@code
   * /metrics} needs {@code --enable-metrics}); for vLLM and other OpenAI-compatible workers {@code
   * GET /metrics}. Counts are summed and KV-cache usage averaged over data-parallel ranks; the load
   * is stamped with {@link System#nanoTime()} when the answer is read.
   */
  @Override
  public CompletableFuture<WorkerLoad> fetchLoad(Worker worker, CallContext context) {
    return async(
        () -> {
          if (worker.flavor() != ApiFlavor.SGLANG) {
            return calls.get(
                worker, "/metrics", context, body -> loads.prometheus(body, System.nanoTime()));
          }
          return calls
              .get(
                  worker,
                  "/v1/loads?include=core,queues",
                  context,
                  body -> loads.sglangLoads(body, System.nanoTime()))
              .handle(
                  (load, error) -> {
                    if (error == null) {
                      return CompletableFuture.completedFuture(load);
                    }
                    if (context.isCancelled()) {
                      return CompletableFuture.<WorkerLoad>failedFuture(error);
                    }
                    // Keep why /v1/loads failed (say a 401) next to the fallback's own failure.
                    return calls
                        .get(
                            worker, "/metrics", context,
                            body -> loads.prometheus(body, System.nanoTime()))
                        .whenComplete(
                            (fallback, fallbackError) -> {
                              Throwable cause = unwrap(fallbackError);
                              if (cause != null && cause != unwrap(error)) {
                                cause.addSuppressed(unwrap(error));
                              }
                            });
                  })
              .thenCompose(f -> f);
        });
  }

  /**
   * Asks an SGLang worker to stop a request ({@code POST /abort_request}); vLLM and other
   * OpenAI-compatible servers abort a request when its connection closes, so for them this does
   * nothing.
   */
  @Override
  public CompletableFuture<Void> abort(Worker worker, String requestId, CallContext context) {
    if (worker.flavor() != io.flexroute.ApiFlavor.SGLANG) {
      return CompletableFuture.completedFuture(null);
    }
    return async(() -> calls.abort(worker, requestId, context));
  }

  // ---- control plane: SGLang's control endpoints ----

  /** Sends {@code POST /update_weights_from_disk}. SGLang workers only. */
  @Override
  public CompletableFuture<ControlAck> updateWeightsFromDisk(
      Worker worker, UpdateWeightsFromDisk update, CallContext context) {
    return controlPost(
        ControlOperation.UPDATE_WEIGHTS_FROM_DISK, worker, "/update_weights_from_disk",
        () -> controlCodec.updateFromDisk(update), context);
  }

  /** Sends {@code POST /init_weights_update_group}. SGLang workers only. */
  @Override
  public CompletableFuture<ControlAck> initWeightsUpdateGroup(
      Worker worker, InitWeightsUpdateGroup group, int rankOffset, CallContext context) {
    return controlPost(
        ControlOperation.INIT_WEIGHTS_UPDATE_GROUP, worker, "/init_weights_update_group",
        () -> controlCodec.initGroup(group, rankOffset), context);
  }

  /** Sends {@code POST /update_weights_from_distributed}. SGLang workers only. */
  @Override
  public CompletableFuture<ControlAck> updateWeightsFromDistributed(
      Worker worker, UpdateWeightsFromDistributed update, CallContext context) {
    return controlPost(
        ControlOperation.UPDATE_WEIGHTS_FROM_DISTRIBUTED, worker,
        "/update_weights_from_distributed", () -> controlCodec.updateFromDistributed(update),
        context);
  }

  /** Sends {@code POST /update_weight_version}. SGLang workers only. */
  @Override
  public CompletableFuture<ControlAck> updateWeightVersion(
      Worker worker, String newVersion, boolean abortAllRequests, CallContext context) {
    return controlPost(
        ControlOperation.UPDATE_WEIGHT_VERSION, worker, "/update_weight_version",
        () -> controlCodec.updateWeightVersion(newVersion, abortAllRequests), context);
  }

  /**
   * Sends {@code POST /flush_cache}. SGLang answers 400 while requests run, which becomes {@link
   * ControlRejectedException}. SGLang workers only.
   */
  @Override
  public CompletableFuture<ControlAck> flushCache(Worker worker, CallContext context) {
    return controlPost(
        ControlOperation.FLUSH_CACHE, worker, "/flush_cache", controlCodec::empty, context);
  }

  /** Sends {@code POST /pause_generation {"mode": ...}}. SGLang workers only. */
  @Override
  public CompletableFuture<ControlAck> pauseGeneration(
      Worker worker, PauseMode mode, CallContext context) {
    return controlPost(
        ControlOperation.PAUSE_GENERATION, worker, "/pause_generation",
        () -> controlCodec.pause(mode), context);
  }

  /** Sends {@code POST /continue_generation {}}. SGLang workers only. */
  @Override
  public CompletableFuture<ControlAck> continueGeneration(Worker worker, CallContext context) {
    return controlPost(
        ControlOperation.CONTINUE_GENERATION, worker, "/continue_generation", controlCodec::empty,
        context);
  }

  /**
   * Reads {@code weight_version} from {@code GET /get_model_info}, or from {@code /model_info} if
   * the worker has only the newer path. SGLang workers only.
   */
  @Override
  public CompletableFuture<String> readWeightVersion(Worker worker, CallContext context) {
    ControlOperation op = ControlOperation.READ_WEIGHT_VERSION;
    return control(
        op, worker,
        () ->
            getEither(worker, "/get_model_info", "/model_info", context)
                .thenApply(bytes -> controlCodec.weightVersion(worker, bytes)));
  }

  /**
   * Reads {@code GET /get_model_info} (weight version, model path) and {@code GET
   * /get_server_info} (the engine version and everything else), each falling back to the newer
   * path ({@code /model_info}, {@code /server_info}) on 404. SGLang workers only.
   */
  @Override
  public CompletableFuture<WorkerInfo> serverInfo(Worker worker, CallContext context) {
    ControlOperation op = ControlOperation.SERVER_INFO;
    return control(
        op, worker,
        () ->
            getEither(worker, "/get_model_info", "/model_info", context)
                .thenCombine(
                    getEither(worker, "/get_server_info", "/server_info", context),
                    (model, server) -> controlCodec.workerInfo(worker, model, server)));
  }

  private CompletableFuture<ControlAck> controlPost(
      ControlOperation op, Worker worker, String path, Supplier<byte[]> body,
      CallContext context) {
    return control(
        op, worker,
        () ->
            controlCalls.post(
                worker, path, body.get(), context, bytes -> controlCodec.ack(op, worker, bytes)));
  }

  /** Gets {@code first}; on a 404, gets {@code second} instead. */
  private CompletableFuture<byte[]> getEither(
      Worker worker, String first, String second, CallContext context) {
    return calls.get(worker, first, context, bytes -> bytes)
        .exceptionallyCompose(
            error -> {
              Throwable cause = unwrap(error);
              if (cause instanceof io.flexroute.WorkerException we
                  && we.kind() == io.flexroute.WorkerException.Kind.HTTP_STATUS
                  && we.statusCode() == 404) {
                return calls.get(worker, second, context, bytes -> bytes);
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  /**
   * Runs a control call on an SGLang worker and maps its failure ({@link
   * ControlCodec#controlFailure}); other flavours have no control endpoints.
   */
  private <T> CompletableFuture<T> control(
      ControlOperation op, Worker worker, Supplier<CompletableFuture<T>> call) {
    if (worker.flavor() != ApiFlavor.SGLANG) {
      return CompletableFuture.failedFuture(
          new ControlUnsupportedException(
              op, worker.id(), "the HTTP transport reaches the control endpoints of SGLang"
                  + " workers only, and this worker is " + worker.flavor()));
    }
    return async(call)
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    controlCodec.controlFailure(op, worker, decodingFailure(worker, unwrap(error)))));
  }

  /**
   * An answer decoded after the call (reads that combine two answers) that has the wrong shape, or
   * a value the result types refuse: a malformed answer, as {@link HttpCalls} reports it for the
   * answers it decodes itself.
   */
  private Throwable decodingFailure(Worker worker, Throwable error) {
    if (error instanceof JsonShapeException e) {
      return failures.malformed(worker, e.getMessage(), e);
    }
    if (error instanceof RuntimeException && !(error instanceof RouterException)) {
      return failures.malformed(worker, "could not read the answer: " + error, error);
    }
    return error;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * Shuts down the dispatcher threads and evicts the idle connections of the client this transport
   * created; does nothing to a client given to the builder. Calls in flight finish; new calls fail
   * with {@link RouterClosedException}. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || !ownsClient) {
      return;
    }
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /**
   * The OkHttp client calls go through: the one given to the builder, or the transport's own.
   *
   * @return the client
   */
  public OkHttpClient okHttpClient() {
    return client;
  }

  /**
   * A unary call's path, body and answer decoder, the same whichever thread runs the call.
   *
   * @param <T> the result type
   */
  private record UnaryPost<T>(String path, byte[] body, HttpCalls.BodyDecoder<T> decoder) {}

  private UnaryPost<GenerateResult> generatePost(
      Worker worker, GenerateRequest request, CallContext context) {
    checkGenerate(worker, request);
    return new UnaryPost<>(
        "/generate",
        generateCodec.encode(request, context.requestId(), false),
        bytes -> generateCodec.decode(bytes, context.requestId(), worker.id()));
  }

  private UnaryPost<ChatCompletion> chatPost(
      Worker worker, ChatRequest request, CallContext context) {
    return new UnaryPost<>(
        "/v1/chat/completions",
        openAiCodec.encodeChat(request, worker.flavor(), context.requestId(), false),
        bytes -> openAiCodec.decodeChat(bytes, context.requestId(), worker.id()));
  }

  private UnaryPost<TextCompletion> completionPost(
      Worker worker, CompletionRequest request, CallContext context) {
    return new UnaryPost<>(
        "/v1/completions",
        openAiCodec.encodeCompletion(request, worker.flavor(), context.requestId(), false),
        bytes -> openAiCodec.decodeCompletion(bytes, context.requestId(), worker.id()));
  }

  private <T> CompletableFuture<T> postAsync(
      Worker worker, CallContext context, Supplier<UnaryPost<T>> post) {
    return async(
        () -> {
          UnaryPost<T> p = post.get();
          return calls.post(worker, p.path(), p.body(), context, p.decoder());
        });
  }

  private <T> T postBlocking(Worker worker, CallContext context, Supplier<UnaryPost<T>> post) {
    return blocking(
        () -> {
          UnaryPost<T> p = post.get();
          return calls.postBlocking(worker, p.path(), p.body(), context, p.decoder());
        });
  }

  private <T> CompletableFuture<T> async(Supplier<CompletableFuture<T>> call) {
    try {
      checkOpen();
      return call.get();
    } catch (RouterException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new RouterException("could not send the request: " + e.getClass().getSimpleName(), e));
    }
  }

  private <T> T blocking(Supplier<T> call) {
    checkOpen();
    try {
      return call.get();
    } catch (RouterException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RouterException("could not send the request: " + e.getClass().getSimpleName(), e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new RouterClosedException();
    }
  }

  private static void checkGenerate(Worker worker, GenerateRequest request) {
    if (worker.flavor() != ApiFlavor.SGLANG) {
      throw new RequestRejectedException(
          RequestRejectedException.Reason.UNSUPPORTED,
          "generate needs an SGLang worker, but worker '" + worker.id() + "' is "
              + worker.flavor());
    }
    Integer n = request.sampling().n();
    // extraBody's sampling_params are merged into the body's, so an n there counts too.
    Object extra =
        request.extraBody().get("sampling_params") instanceof Map<?, ?> params
            ? params.get("n")
            : null;
    if ((n != null && n > 1) || (extra instanceof Number en && en.doubleValue() > 1)) {
      throw new RequestRejectedException(
          RequestRejectedException.Reason.UNSUPPORTED,
          "generate supports n = 1 only, since its result holds one sample, but n was "
              + (n != null && n > 1 ? n : extra) + "; send n requests instead");
    }
  }

  @Override
  public String toString() {
    return "HttpTransport{ownsClient=" + ownsClient + ", closed=" + closed.get() + "}";
  }

  /**
   * Builds an {@link HttpTransport}. Each setter checks its argument at once and names the setting
   * in the {@link IllegalArgumentException}. Not thread-safe.
   *
   * <p>Either give a client with {@link #okHttpClient(OkHttpClient)}, or let the transport create
   * one, shaped by the other client settings; {@link #build()} refuses a mix of both.
   */
  public static final class Builder {
    private @Nullable OkHttpClient client;
    private @Nullable ObjectMapper mapper;
    private @Nullable String clientSettingSet;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private int maxRequests = DEFAULT_MAX_REQUESTS;
    private int maxRequestsPerHost = DEFAULT_MAX_REQUESTS_PER_HOST;
    private int maxIdleConnections = DEFAULT_MAX_IDLE_CONNECTIONS;
    private Duration keepAlive = DEFAULT_KEEP_ALIVE;

    private Builder() {}

    /**
     * Uses a client the caller owns (for custom TLS, proxies, interceptors or a shared pool). The
     * transport never shuts it down, and its own timeouts and limits apply; the transport still
     * sets each call's timeout from the request's deadline.
     *
     * @param client the client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "okHttpClient");
      return this;
    }

    /**
     * Sets the connect timeout of the client the transport creates. Default {@link
     * #DEFAULT_CONNECT_TIMEOUT}.
     *
     * @param timeout from 1 millisecond to {@value Integer#MAX_VALUE} milliseconds (24.8 days)
     * @return this builder
     * @throws IllegalArgumentException if outside that range (OkHttp's)
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = clientTimeout(timeout, "connectTimeout");
      clientSettingSet = "connectTimeout";
      return this;
    }

    /**
     * Sets the read timeout of the client the transport creates: the longest time without a byte
     * from the worker, also between two stream events. The request's own deadline is enforced
     * separately. Default {@link #DEFAULT_READ_TIMEOUT}.
     *
     * @param timeout from 1 millisecond to {@value Integer#MAX_VALUE} milliseconds (24.8 days)
     * @return this builder
     * @throws IllegalArgumentException if outside that range (OkHttp's)
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = clientTimeout(timeout, "readTimeout");
      clientSettingSet = "readTimeout";
      return this;
    }

    /**
     * Sets the write timeout of the client the transport creates. Default {@link
     * #DEFAULT_WRITE_TIMEOUT}.
     *
     * @param timeout from 1 millisecond to {@value Integer#MAX_VALUE} milliseconds (24.8 days)
     * @return this builder
     * @throws IllegalArgumentException if outside that range (OkHttp's)
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = clientTimeout(timeout, "writeTimeout");
      clientSettingSet = "writeTimeout";
      return this;
    }

    /**
     * Sets how many asynchronous calls the created client runs at once; more wait in its queue.
     * Streams run on the caller's thread and do not count. Default {@value #DEFAULT_MAX_REQUESTS}.
     *
     * @param maxRequests at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxRequests(int maxRequests) {
      this.maxRequests = atLeastOne(maxRequests, "maxRequests");
      clientSettingSet = "maxRequests";
      return this;
    }

    /**
     * Sets how many asynchronous calls the created client runs at once to one host. Default {@value
     * #DEFAULT_MAX_REQUESTS_PER_HOST}.
     *
     * @param maxRequestsPerHost at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxRequestsPerHost(int maxRequestsPerHost) {
      this.maxRequestsPerHost = atLeastOne(maxRequestsPerHost, "maxRequestsPerHost");
      clientSettingSet = "maxRequestsPerHost";
      return this;
    }

    /**
     * Sets the connection pool of the created client. Defaults {@value
     * #DEFAULT_MAX_IDLE_CONNECTIONS} and {@link #DEFAULT_KEEP_ALIVE}.
     *
     * @param maxIdleConnections how many idle connections to keep, at least 0
     * @param keepAlive how long to keep an idle connection, positive and at most 3650 days
     * @return this builder
     * @throws IllegalArgumentException if a value is out of range
     */
    public Builder connectionPool(int maxIdleConnections, Duration keepAlive) {
      if (maxIdleConnections < 0) {
        throw new IllegalArgumentException(
            "maxIdleConnections must be >= 0, but was " + maxIdleConnections);
      }
      this.keepAlive = positive(keepAlive, "keepAlive");
      if (keepAlive.compareTo(Duration.ofDays(3650)) > 0) {
        throw new IllegalArgumentException("keepAlive must be at most 3650 days, but was " + keepAlive);
      }
      this.maxIdleConnections = maxIdleConnections;
      clientSettingSet = "connectionPool";
      return this;
    }

    /**
     * Uses a copy of the caller's Jackson mapper for request and response JSON; the copy ignores
     * unknown properties, and the caller's instance is never changed. Default: a plain mapper.
     *
     * @param mapper the mapper to copy
     * @return this builder
     */
    public Builder objectMapper(ObjectMapper mapper) {
      Objects.requireNonNull(mapper, "objectMapper");
      this.mapper = mapper.copy();
      return this;
    }

    /**
     * Builds the transport.
     *
     * @return the transport
     * @throws IllegalStateException if both a client and settings for a created client were given
     */
    public HttpTransport build() {
      if (client != null && clientSettingSet != null) {
        throw new IllegalStateException(
            "okHttpClient was given, so " + clientSettingSet
                + " cannot apply: configure the given client instead");
      }
      return new HttpTransport(this);
    }

    private OkHttpClient newClient() {
      Dispatcher dispatcher = new Dispatcher(newExecutor());
      dispatcher.setMaxRequests(maxRequests);
      dispatcher.setMaxRequestsPerHost(maxRequestsPerHost);
      return new OkHttpClient.Builder()
          .dispatcher(dispatcher)
          .connectionPool(
              new ConnectionPool(maxIdleConnections, keepAlive.toNanos(), TimeUnit.NANOSECONDS))
          .connectTimeout(connectTimeout)
          .readTimeout(readTimeout)
          .writeTimeout(writeTimeout)
          // A worker does not redirect; following one would send the request's headers (API keys
          // in custom headers) to another host, or turn a POST into a bodiless GET.
          .followRedirects(false)
          .followSslRedirects(false)
          .build();
    }

    private static ExecutorService newExecutor() {
      AtomicInteger count = new AtomicInteger();
      return new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "flexroute-http-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
    }

    /** A timeout in the range OkHttp accepts, checked here so that the error names the setting. */
    private static Duration clientTimeout(Duration value, String field) {
      Objects.requireNonNull(value, field);
      if (value.compareTo(Duration.ofMillis(1)) < 0
          || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException(
            field + " must be from 1 ms to " + Integer.MAX_VALUE + " ms, but was " + value);
      }
      return value;
    }

    private static Duration positive(Duration value, String field) {
      Objects.requireNonNull(value, field);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, but was " + value);
      }
      return value;
    }

    private static int atLeastOne(int value, String field) {
      if (value < 1) {
        throw new IllegalArgumentException(field + " must be >= 1, but was " + value);
      }
      return value;
    }
  }
}
