package io.flexroute.transport.grpc;

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
import io.flexroute.WorkerException;
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
import io.flexroute.transport.grpc.internal.ChannelPool;
import io.flexroute.transport.grpc.internal.GenerateCalls;
import io.flexroute.transport.grpc.internal.InfoCodec;
import io.flexroute.transport.grpc.internal.RequestCodec;
import io.flexroute.transport.grpc.internal.UnaryCalls;
import io.flexroute.transport.grpc.internal.proto.CommonProto;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerGrpc;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * The gRPC {@link Transport}: carries token-id generations to SGLang workers over SGLang's gRPC
 * scheduler protocol ({@code sglang.grpc.scheduler.SglangScheduler}), skipping HTTP JSON and
 * server-side tokenisation. It serves workers whose URL scheme is {@code grpc} (plaintext HTTP/2)
 * or {@code grpcs} (TLS).
 *
 * <pre>{@code
 * try (GrpcTransport grpc = GrpcTransport.builder().defaultMaxNewTokens(256).build();
 *     Router router = Router.builder()
 *         .transport(grpc)
 *         .worker(Worker.of("a", "grpc://10.0.0.5:30001"))
 *         .build()) {
 *   GenerateResult r = router.generate(GenerateRequest.builder()
 *       .inputIds(TokenIds.of(151644, 872, 198))
 *       .returnLogprob(true)
 *       .build());
 * }
 * }</pre>
 *
 * <h2>What it carries</h2>
 *
 * {@link #generate} and {@link #generateStream} need the prompt as token ids: the scheduler API has
 * no text input, so a text-only request fails with {@link RequestRejectedException} ({@code
 * UNSUPPORTED}) before anything is sent, as do {@code n > 1}, a sampling seed (no such field in the
 * protocol) and {@code extraBody} fields without a protobuf equivalent. Results carry token ids and
 * logprobs, never text. OpenAI chat and text completions are not part of the scheduler API: {@link
 * #chat}, {@link #chatStream}, {@link #complete} and {@link #completeStream} fail with {@code
 * RequestRejectedException} ({@code UNSUPPORTED}) naming the HTTP transport as the alternative. The
 * protocol mapping and the error table are in {@code docs/transports.md}.
 *
 * <h2>Channels, sharing and lifecycle</h2>
 *
 * Instances are thread-safe; one transport serves every request of a router. Each worker gets one
 * channel, created on its first call: a grpc-okhttp channel the transport owns (daemon threads
 * {@code flexroute-grpc-N}), unless the builder was given a channel for that worker ({@link
 * Builder#channel}) or a {@link GrpcChannelFactory}, whose channels belong to the caller and are
 * never shut down here. {@link #close()} shuts down the channels and threads the transport created.
 *
 * <h2>Calls</h2>
 *
 * Every call gets a gRPC deadline from the request's remaining time ({@link
 * CallContext#remaining()}) and the metadata {@code x-request-id}, {@code authorization: Bearer}
 * with the worker's API key, and the worker's and request's headers. When the call is cancelled (by
 * the caller, the router's deadline, or closing a stream early), the gRPC call is cancelled and an
 * {@code Abort} RPC with the request id is sent. Asynchronous results complete on the channel's
 * executor; stream methods block until the worker accepted the stream, then deliver deltas that the
 * caller pulls, one gRPC message per pull.
 */
public final class GrpcTransport implements Transport {

  /** The interval of HTTP/2 keep-alive pings on created channels: 30 seconds. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIME = Duration.ofSeconds(30);

  /** How long a keep-alive ping may go unanswered before the connection is dropped: 10 s. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The largest message created channels accept: 64 MiB, room for a plain answer of many thousand
   * tokens with top logprobs (grpc's own default is 4 MiB; SGLang's server allows 256 MiB).
   */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 64 * 1024 * 1024;

  /** The HTTP/2 flow-control window of created channels: 16 MiB, as SGLang's own router uses. */
  public static final int DEFAULT_FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

  /**
   * The {@code max_new_tokens} sent when a request sets none: 128, SGLang's HTTP default, so that a
   * request means the same over both transports (the gRPC field left unset would mean "up to the
   * context window").
   */
  public static final int DEFAULT_MAX_NEW_TOKENS = 128;

  /**
   * The deadline of the {@code Abort} calls the transport sends for calls it cancels and for {@link
   * #abort(Worker, String)}: 5 seconds.
   */
  public static final Duration DEFAULT_ABORT_TIMEOUT = Duration.ofSeconds(5);

  /** The deadline of {@link #loads}, {@link #modelInfo} and {@link #serverInfo}: 5 seconds. */
  public static final Duration DEFAULT_INFO_TIMEOUT = Duration.ofSeconds(5);

  private static final String NAME = "grpc";

  private final ChannelPool channels;
  private final UnaryCalls unary;
  private final GenerateCalls generateCalls;
  private final Duration infoTimeout;

  private GrpcTransport(Builder b) {
    this.channels =
        new ChannelPool(
            b.channels,
            b.factory == null ? null : b.factory::channelFor,
            new ChannelPool.Settings(
                b.keepAliveTime,
                b.keepAliveTimeout,
                b.maxInboundMessageSize,
                b.flowControlWindow,
                b.sslSocketFactory,
                b.userAgent));
    this.unary = new UnaryCalls(channels, b.abortTimeout);
    this.generateCalls =
        new GenerateCalls(channels, unary, new RequestCodec(b.defaultMaxNewTokens));
    this.infoTimeout = b.infoTimeout;
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
   * A transport with default settings and channels of its own.
   *
   * @return the transport
   */
  public static GrpcTransport create() {
    return builder().build();
  }

  /** Returns {@code "grpc"}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Whether the worker's URL scheme is {@code grpc} or {@code grpcs}.
   *
   * @param worker the worker
   * @return {@code true} for grpc and grpcs workers
   */
  @Override
  public boolean supports(Worker worker) {
    String scheme = worker.scheme();
    return "grpc".equals(scheme) || "grpcs".equals(scheme);
  }

  /**
   * Sends {@code Generate} with {@code stream = false} and folds its messages into one result
   * (token ids, logprobs, finish reason, usage; no text). Only SGLang-flavoured workers, token-id
   * prompts and {@code n} = 1 are accepted; other requests fail with {@link
   * RequestRejectedException} ({@code UNSUPPORTED}) before anything is sent.
   */
  @Override
  public CompletableFuture<GenerateResult> generate(
      Worker worker, GenerateRequest request, CallContext context) {
    return async(() -> generateCalls.generate(worker, request, context));
  }

  /**
   * Streams {@code Generate} ({@code stream = true}): one chunk per gRPC message, already deltas;
   * the last chunk carries the finish reason and usage. The same restrictions as for {@link
   * #generate} apply.
   */
  @Override
  public ChunkSource<GenerateChunk> generateStream(
      Worker worker, GenerateRequest request, CallContext context) {
    return blocking(() -> generateCalls.generateStream(worker, request, context));
  }

  /**
   * Not part of SGLang's gRPC scheduler API: returns a future failed with {@link
   * RequestRejectedException} ({@code UNSUPPORTED}) that names the operation and the HTTP
   * transport, which serves it.
   */
  @Override
  public CompletableFuture<ChatCompletion> chat(
      Worker worker, ChatRequest request, CallContext context) {
    return CompletableFuture.failedFuture(unsupported("chat", worker));
  }

  /**
   * Not part of SGLang's gRPC scheduler API: throws {@link RequestRejectedException} ({@code
   * UNSUPPORTED}) that names the operation and the HTTP transport.
   */
  @Override
  public ChunkSource<ChatChunk> chatStream(
      Worker worker, ChatRequest request, CallContext context) {
    throw unsupported("chat streaming", worker);
  }

  /**
   * Not part of SGLang's gRPC scheduler API: returns a future failed with {@link
   * RequestRejectedException} ({@code UNSUPPORTED}) that names the operation and the HTTP
   * transport.
   */
  @Override
  public CompletableFuture<TextCompletion> complete(
      Worker worker, CompletionRequest request, CallContext context) {
    return CompletableFuture.failedFuture(unsupported("text completion", worker));
  }

  /**
   * Not part of SGLang's gRPC scheduler API: throws {@link RequestRejectedException} ({@code
   * UNSUPPORTED}) that names the operation and the HTTP transport.
   */
  @Override
  public ChunkSource<CompletionChunk> completeStream(
      Worker worker, CompletionRequest request, CallContext context) {
    throw unsupported("text completion streaming", worker);
  }

  /**
   * Sends {@code HealthCheck}, which runs a real one-token generation on the server (it can take up
   * to about 20 s there). {@code healthy = true} means healthy; {@code healthy = false} fails the
   * future with a {@link WorkerException} ({@code HTTP_STATUS} 503) carrying the server's message.
   */
  @Override
  public CompletableFuture<Void> checkHealth(Worker worker, CallContext context) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getHealthCheckMethod(),
                    SglangSchedulerProto.HealthCheckRequest.getDefaultInstance(),
                    context)
                .thenApply(
                    r -> {
                      if (!r.getHealthy()) {
                        String message = r.getMessage().isBlank() ? "unhealthy" : r.getMessage();
                        throw new WorkerException(
                            worker.id(), WorkerException.Kind.HTTP_STATUS, 503,
                            "HealthCheck: " + message, r.getMessage(), null);
                      }
                      return null;
                    }));
  }

  /**
   * Asks the worker for its load ({@code GetLoads} with {@code include = ["core"]}), within {@link
   * Builder#infoTimeout}. The running and waiting counts are the aggregate over the worker's
   * data-parallel ranks, the KV-cache usage their average token usage. Never throws; failures
   * complete the future with the same exceptions as generation calls.
   *
   * @param worker a {@code grpc} or {@code grpcs} worker
   * @return the load, stamped with {@link System#nanoTime()} when the answer arrived
   */
  public CompletableFuture<WorkerLoad> loads(Worker worker) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getGetLoadsMethod(),
                    loadsRequest(),
                    infoTimeout)
                .thenApply(r -> InfoCodec.load(r, System.nanoTime())));
  }

  /**
   * Reads the worker's load with {@code GetLoads}, as {@link #loads(Worker)} does, within the
   * context's deadline and cancellation. Never throws.
   */
  @Override
  public CompletableFuture<WorkerLoad> fetchLoad(Worker worker, CallContext context) {
    return async(
        () ->
            unary
                .call(worker, SglangSchedulerGrpc.getGetLoadsMethod(), loadsRequest(), context)
                .thenApply(r -> InfoCodec.load(r, System.nanoTime())));
  }

  /**
   * Sends {@code Abort} with the request id, within the context's deadline; completes when the
   * server answered. The transport already sends one itself when it cancels a call, so this may
   * reach the server twice, which SGLang answers harmlessly ("not found"). Never throws.
   */
  @Override
  public CompletableFuture<Void> abort(Worker worker, String requestId, CallContext context) {
    if (requestId.isEmpty()) {
      // SGLang aborts by id prefix: an empty id would abort every request on the worker.
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("an Abort needs a request id; an empty one aborts all"));
    }
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getAbortMethod(),
                    SglangSchedulerProto.AbortRequest.newBuilder()
                        .setRequestId(requestId)
                        .setReason("aborted by the router")
                        .build(),
                    context)
                .thenApply(r -> null));
  }

  // ---- control plane ----

  /**
   * Sends {@code FlushCache} with {@code timeout_s = 0} (flush now, refuse while busy); {@code
   * success = false} fails the future with {@link ControlRejectedException}. Never throws.
   */
  @Override
  public CompletableFuture<ControlAck> flushCache(Worker worker, CallContext context) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getFlushCacheMethod(),
                    CommonProto.FlushCacheRequest.getDefaultInstance(),
                    context)
                .thenApply(
                    r -> {
                      if (!r.getSuccess()) {
                        throw new ControlRejectedException(
                            ControlOperation.FLUSH_CACHE, worker.id(), 0, r.getMessage());
                      }
                      return ControlAck.of(r.getMessage());
                    }));
  }

  /** Reads {@code weight_version} from {@code GetModelInfo}. Never throws. */
  @Override
  public CompletableFuture<String> readWeightVersion(Worker worker, CallContext context) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getGetModelInfoMethod(),
                    SglangSchedulerProto.GetModelInfoRequest.getDefaultInstance(),
                    context)
                .thenApply(
                    r -> {
                      if (r.getWeightVersion().isEmpty()) {
                        throw new ControlUnsupportedException(
                            ControlOperation.READ_WEIGHT_VERSION, worker.id(),
                            "its GetModelInfo answer has no weight_version");
                      }
                      return r.getWeightVersion();
                    }));
  }

  /** Reads {@code GetModelInfo} and {@code GetServerInfo} together. Never throws. */
  @Override
  public CompletableFuture<WorkerInfo> serverInfo(Worker worker, CallContext context) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getGetModelInfoMethod(),
                    SglangSchedulerProto.GetModelInfoRequest.getDefaultInstance(),
                    context)
                .thenCombine(
                    unary.call(
                        worker,
                        SglangSchedulerGrpc.getGetServerInfoMethod(),
                        SglangSchedulerProto.GetServerInfoRequest.getDefaultInstance(),
                        context),
                    (model, server) -> InfoCodec.workerInfo(worker.id(), model, server)));
  }

  /** SGLang's gRPC scheduler API has no weight-update call; use the worker's HTTP URL. */
  @Override
  public CompletableFuture<ControlAck> updateWeightsFromDisk(
      Worker worker, UpdateWeightsFromDisk update, CallContext context) {
    return noControlRpc(ControlOperation.UPDATE_WEIGHTS_FROM_DISK, worker);
  }

  /** SGLang's gRPC scheduler API has no weight-update call; use the worker's HTTP URL. */
  @Override
  public CompletableFuture<ControlAck> initWeightsUpdateGroup(
      Worker worker, InitWeightsUpdateGroup group, int rankOffset, CallContext context) {
    return noControlRpc(ControlOperation.INIT_WEIGHTS_UPDATE_GROUP, worker);
  }

  /** SGLang's gRPC scheduler API has no weight-update call; use the worker's HTTP URL. */
  @Override
  public CompletableFuture<ControlAck> updateWeightsFromDistributed(
      Worker worker, UpdateWeightsFromDistributed update, CallContext context) {
    return noControlRpc(ControlOperation.UPDATE_WEIGHTS_FROM_DISTRIBUTED, worker);
  }

  /** SGLang's gRPC scheduler API has no version-label call; use the worker's HTTP URL. */
  @Override
  public CompletableFuture<ControlAck> updateWeightVersion(
      Worker worker, String newVersion, boolean abortAllRequests, CallContext context) {
    return noControlRpc(ControlOperation.UPDATE_WEIGHT_VERSION, worker);
  }

  /** SGLang's gRPC scheduler API has no pause call; use the worker's HTTP URL. */
  @Override
  public CompletableFuture<ControlAck> pauseGeneration(
      Worker worker, PauseMode mode, CallContext context) {
    return noControlRpc(ControlOperation.PAUSE_GENERATION, worker);
  }

  /** SGLang's gRPC scheduler API has no continue call; use the worker's HTTP URL. */
  @Override
  public CompletableFuture<ControlAck> continueGeneration(Worker worker, CallContext context) {
    return noControlRpc(ControlOperation.CONTINUE_GENERATION, worker);
  }

  private static <T> CompletableFuture<T> noControlRpc(ControlOperation op, Worker worker) {
    return CompletableFuture.failedFuture(
        new ControlUnsupportedException(
            op, worker.id(), "SGLang's gRPC scheduler API has no such RPC; register the worker"
                + " by its http:// URL (router-transport-http) for this operation"));
  }

  private static SglangSchedulerProto.GetLoadsRequest loadsRequest() {
    return SglangSchedulerProto.GetLoadsRequest.newBuilder().addInclude("core").build();
  }

  /**
   * Asks the worker about its model ({@code GetModelInfo}), within {@link Builder#infoTimeout}.
   * Never throws.
   *
   * @param worker a {@code grpc} or {@code grpcs} worker
   * @return the model information
   */
  public CompletableFuture<SchedulerModelInfo> modelInfo(Worker worker) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getGetModelInfoMethod(),
                    SglangSchedulerProto.GetModelInfoRequest.getDefaultInstance(),
                    infoTimeout)
                .thenApply(InfoCodec::modelInfo));
  }

  /**
   * Asks the worker about itself ({@code GetServerInfo}), within {@link Builder#infoTimeout}. Never
   * throws.
   *
   * @param worker a {@code grpc} or {@code grpcs} worker
   * @return the server information
   */
  public CompletableFuture<SchedulerServerInfo> serverInfo(Worker worker) {
    return async(
        () ->
            unary
                .call(
                    worker,
                    SglangSchedulerGrpc.getGetServerInfoMethod(),
                    SglangSchedulerProto.GetServerInfoRequest.getDefaultInstance(),
                    infoTimeout)
                .thenApply(InfoCodec::serverInfo));
  }

  /**
   * Sends {@code Abort} for a request id, for requests this router did not start or to stop a
   * group: SGLang aborts every request whose id starts with it. Calls the router cancels are
   * aborted without this. The call's deadline is {@link Builder#abortTimeout}. Never throws.
   *
   * @param worker a {@code grpc} or {@code grpcs} worker
   * @param requestIdPrefix the id or id prefix, not empty
   * @return whether the server accepted the abort (it also answers true for ids it did not know)
   * @throws IllegalArgumentException if the prefix is empty (an empty prefix would abort every
   *     request on the worker)
   */
  public CompletableFuture<Boolean> abort(Worker worker, String requestIdPrefix) {
    Objects.requireNonNull(requestIdPrefix, "requestIdPrefix");
    if (requestIdPrefix.isEmpty()) {
      throw new IllegalArgumentException("requestIdPrefix must not be empty");
    }
    return async(
        () ->
            unary
                .abort(worker, requestIdPrefix, "aborted by the caller")
                .thenApply(SglangSchedulerProto.AbortResponse::getSuccess));
  }

  /**
   * Lets go of the channel of a worker that left the fleet: a channel this transport created is
   * shut down gracefully (calls still running on it finish, and {@link #close()} still waits for
   * them), a caller's channel is only forgotten. A later call for a worker with that id opens a new
   * channel.
   */
  @Override
  public void onWorkerRemoved(Worker worker) {
    channels.release(worker);
  }

  /**
   * Shuts down the channels and threads this transport created (calls in flight get up to five
   * seconds to end, then are cancelled); channels given to the builder or made by its factory are
   * left alone. New calls fail with {@link RouterClosedException}. Idempotent.
   */
  @Override
  public void close() {
    channels.close();
  }

  /**
   * The channels this transport created and still holds (one per worker called), for inspection;
   * caller channels are not included.
   *
   * @return the channels
   */
  public List<ManagedChannel> ownedChannels() {
    return channels.ownedChannels();
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

  private <T> ChunkSource<T> blocking(Supplier<ChunkSource<T>> call) {
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
    if (channels.isClosed()) {
      throw new RouterClosedException();
    }
  }

  private static RequestRejectedException unsupported(String operation, Worker worker) {
    return new RequestRejectedException(
        RequestRejectedException.Reason.UNSUPPORTED,
        operation + " is not part of SGLang's gRPC scheduler API, so worker '" + worker.id()
            + "' (" + worker.baseUrl() + ") cannot serve it over gRPC; send " + operation
            + " requests to the worker's http:// URL through the HTTP transport"
            + " (router-transport-http)");
  }

  @Override
  public String toString() {
    return "GrpcTransport{closed=" + channels.isClosed() + "}";
  }

  /**
   * Builds a {@link GrpcTransport}. Each setter checks its argument at once and names the setting
   * in the {@link IllegalArgumentException}. Not thread-safe.
   *
   * <p>The channel settings ({@code keepAlive}, {@code maxInboundMessageSize}, {@code
   * flowControlWindow}, {@code sslSocketFactory}, {@code userAgent}) shape the channels the
   * transport creates; channels from {@link #channel} or {@link #channelFactory} are used as they
   * are.
   */
  public static final class Builder {
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private @Nullable GrpcChannelFactory factory;
    private Duration keepAliveTime = DEFAULT_KEEP_ALIVE_TIME;
    private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
    private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
    private int flowControlWindow = DEFAULT_FLOW_CONTROL_WINDOW;
    private @Nullable SSLSocketFactory sslSocketFactory;
    private @Nullable String userAgent;
    private int defaultMaxNewTokens = DEFAULT_MAX_NEW_TOKENS;
    private Duration abortTimeout = DEFAULT_ABORT_TIMEOUT;
    private Duration infoTimeout = DEFAULT_INFO_TIMEOUT;

    private Builder() {}

    /**
     * Uses a channel the caller owns for one worker (by worker id). The transport never shuts it
     * down.
     *
     * @param workerId the worker's id
     * @param channel the channel
     * @return this builder
     * @throws IllegalArgumentException if the id is blank
     */
    public Builder channel(String workerId, ManagedChannel channel) {
      Objects.requireNonNull(workerId, "workerId");
      Objects.requireNonNull(channel, "channel");
      if (workerId.isBlank()) {
        throw new IllegalArgumentException("workerId must not be blank");
      }
      channels.put(workerId, channel);
      return this;
    }

    /**
     * Makes the channels of workers without a {@linkplain #channel(String, ManagedChannel) given
     * channel} with the caller's factory, called once per worker; the transport never shuts them
     * down. Default: the transport creates grpc-okhttp channels itself.
     *
     * @param factory the factory
     * @return this builder
     */
    public Builder channelFactory(GrpcChannelFactory factory) {
      this.factory = Objects.requireNonNull(factory, "channelFactory");
      return this;
    }

    /**
     * Sets the HTTP/2 keep-alive of created channels (pings are sent also without calls, as
     * SGLang's server permits every 10 s and more). Defaults {@link #DEFAULT_KEEP_ALIVE_TIME} and
     * {@link #DEFAULT_KEEP_ALIVE_TIMEOUT}.
     *
     * @param time the interval between pings, at least 10 seconds and at most 3650 days
     * @param timeout how long a ping may go unanswered, positive and at most 3650 days
     * @return this builder
     * @throws IllegalArgumentException if a value is out of range
     */
    public Builder keepAlive(Duration time, Duration timeout) {
      Objects.requireNonNull(time, "keepAliveTime");
      if (time.compareTo(Duration.ofSeconds(10)) < 0) {
        throw new IllegalArgumentException(
            "keepAliveTime must be >= 10 s (servers refuse faster pings), but was " + time);
      }
      atMostMax(time, "keepAliveTime");
      this.keepAliveTimeout = positive(timeout, "keepAliveTimeout");
      this.keepAliveTime = time;
      return this;
    }

    /**
     * Sets the largest message created channels accept. Default {@value
     * #DEFAULT_MAX_INBOUND_MESSAGE_SIZE} bytes.
     *
     * @param bytes at least 1 MiB
     * @return this builder
     * @throws IllegalArgumentException if below 1 MiB
     */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes < 1024 * 1024) {
        throw new IllegalArgumentException(
            "maxInboundMessageSize must be >= 1048576, but was " + bytes);
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Sets the HTTP/2 flow-control window of created channels. Default {@value
     * #DEFAULT_FLOW_CONTROL_WINDOW} bytes.
     *
     * @param bytes at least 65535 (the HTTP/2 minimum)
     * @return this builder
     * @throws IllegalArgumentException if below 65535
     */
    public Builder flowControlWindow(int bytes) {
      if (bytes < 65_535) {
        throw new IllegalArgumentException("flowControlWindow must be >= 65535, but was " + bytes);
      }
      this.flowControlWindow = bytes;
      return this;
    }

    /**
     * Sets the TLS socket factory of created channels to {@code grpcs} workers, for a private CA
     * or client certificates. Default: the JVM's default trust store.
     *
     * @param factory the factory
     * @return this builder
     */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      this.sslSocketFactory = Objects.requireNonNull(factory, "sslSocketFactory");
      return this;
    }

    /**
     * Sets a prefix of the {@code user-agent} that created channels send. Default: grpc-java's.
     *
     * @param userAgent the user agent
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent");
      if (userAgent.isBlank()) {
        throw new IllegalArgumentException("userAgent must not be blank");
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Sets the {@code max_new_tokens} sent when a request sets none. Default {@value
     * #DEFAULT_MAX_NEW_TOKENS}, SGLang's HTTP default; -1 leaves the field unset, which the server
     * reads as "up to the context window".
     *
     * @param maxNewTokens -1, or at least 0
     * @return this builder
     * @throws IllegalArgumentException if below -1
     */
    public Builder defaultMaxNewTokens(int maxNewTokens) {
      if (maxNewTokens < -1) {
        throw new IllegalArgumentException(
            "defaultMaxNewTokens must be -1 or >= 0, but was " + maxNewTokens);
      }
      this.defaultMaxNewTokens = maxNewTokens;
      return this;
    }

    /**
     * Sets the deadline of the {@code Abort} calls sent for cancelled requests and by {@link
     * GrpcTransport#abort(Worker, String)}. Default {@link #DEFAULT_ABORT_TIMEOUT}.
     *
     * @param timeout a positive duration of at most 3650 days
     * @return this builder
     * @throws IllegalArgumentException if not positive, or longer than 3650 days
     */
    public Builder abortTimeout(Duration timeout) {
      this.abortTimeout = positive(timeout, "abortTimeout");
      return this;
    }

    /**
     * Sets the deadline of {@link GrpcTransport#loads}, {@link GrpcTransport#modelInfo} and {@link
     * GrpcTransport#serverInfo}. Default {@link #DEFAULT_INFO_TIMEOUT}.
     *
     * @param timeout a positive duration of at most 3650 days
     * @return this builder
     * @throws IllegalArgumentException if not positive, or longer than 3650 days
     */
    public Builder infoTimeout(Duration timeout) {
      this.infoTimeout = positive(timeout, "infoTimeout");
      return this;
    }

    /**
     * Builds the transport. Channels are created on first use, not here.
     *
     * @return the transport
     */
    public GrpcTransport build() {
      return new GrpcTransport(this);
    }

    /** The longest duration a setting accepts; longer ones overflowed nanosecond arithmetic. */
    private static final Duration MAX_SETTING = Duration.ofDays(3650);

    private static Duration positive(Duration value, String field) {
      Objects.requireNonNull(value, field);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, but was " + value);
      }
      return atMostMax(value, field);
    }

    private static Duration atMostMax(Duration value, String field) {
      if (value.compareTo(MAX_SETTING) > 0) {
        throw new IllegalArgumentException(
            field + " must be at most 3650 days, but was " + value);
      }
      return value;
    }
  }
}
