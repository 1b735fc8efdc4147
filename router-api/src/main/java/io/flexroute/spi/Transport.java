package io.flexroute.spi;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.InitWeightsUpdateGroup;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.UpdateWeightsFromDistributed;
import io.flexroute.fleet.WorkerInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Carries requests to workers over one wire protocol.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>Implementations are thread-safe and shared by all requests of a router.
 *   <li>Asynchronous methods never throw: failures complete the future exceptionally with a {@link
 *       io.flexroute.WorkerException} (non-2xx answer, unreadable body, connection failure) or
 *       another {@link io.flexroute.RouterException}.
 *   <li>Stream methods block until the worker accepted the stream (status and headers received), then
 *       return a {@link ChunkSource}; they throw the same exception types.
 *   <li>The call honours {@link CallContext#remaining()} as its timeout, sends {@link
 *       CallContext#requestId()} to the worker, and aborts its I/O when {@link
 *       CallContext#onCancel} fires.
 *   <li>Result and chunk objects carry the call's request id and the worker's id.
 * </ul>
 *
 * <p>A transport the router created from a {@link TransportProvider} is closed with the router; one
 * passed to the builder belongs to the caller.
 */
public interface Transport extends AutoCloseable {

  /**
   * A short name for logs, such as {@code http}.
   *
   * @return the name
   */
  String name();

  /**
   * Whether this transport can reach the worker (typically by its URL scheme).
   *
   * @param worker the worker
   * @return {@code true} if it can
   */
  boolean supports(Worker worker);

  /**
   * Runs an SGLang-native generation.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the result
   */
  CompletableFuture<GenerateResult> generate(
      Worker worker, GenerateRequest request, CallContext context);

  /**
   * Streams an SGLang-native generation.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the chunk source, delivering deltas
   */
  ChunkSource<GenerateChunk> generateStream(
      Worker worker, GenerateRequest request, CallContext context);

  /**
   * Runs an OpenAI chat completion.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the result
   */
  CompletableFuture<ChatCompletion> chat(Worker worker, ChatRequest request, CallContext context);

  /**
   * Streams an OpenAI chat completion.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the chunk source
   */
  ChunkSource<ChatChunk> chatStream(Worker worker, ChatRequest request, CallContext context);

  /**
   * Runs an OpenAI text completion.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the result
   */
  CompletableFuture<TextCompletion> complete(
      Worker worker, CompletionRequest request, CallContext context);

  /**
   * Streams an OpenAI text completion.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the chunk source
   */
  ChunkSource<CompletionChunk> completeStream(
      Worker worker, CompletionRequest request, CallContext context);

  /**
   * Runs an SGLang-native generation on the calling thread and returns its result. The router's
   * blocking calls use this method, so a transport that can do its I/O on the caller's thread saves
   * the hand-over to its own threads and back. The default waits for {@link #generate}.
   *
   * <p>Like the asynchronous method, it honours {@link CallContext#remaining()} and aborts its I/O
   * when {@link CallContext#onCancel} fires; it throws what the asynchronous method's future would
   * complete with. When the calling thread is interrupted while it waits, the default gives up with a
   * {@link io.flexroute.RequestCancelledException} and leaves the thread's interrupt flag set; a
   * transport blocked in a socket read may notice the interrupt only when the read returns.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the result
   * @throws io.flexroute.RouterException when the call fails
   */
  default GenerateResult generateBlocking(
      Worker worker, GenerateRequest request, CallContext context) {
    return BlockingWait.await(generate(worker, request, context), context);
  }

  /**
   * Runs an OpenAI chat completion on the calling thread; see {@link #generateBlocking}. The default
   * waits for {@link #chat}.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the result
   * @throws io.flexroute.RouterException when the call fails
   */
  default ChatCompletion chatBlocking(Worker worker, ChatRequest request, CallContext context) {
    return BlockingWait.await(chat(worker, request, context), context);
  }

  /**
   * Runs an OpenAI text completion on the calling thread; see {@link #generateBlocking}. The
   * default waits for {@link #complete}.
   *
   * @param worker the worker to call
   * @param request the request
   * @param context the call's id, deadline and cancellation
   * @return the result
   * @throws io.flexroute.RouterException when the call fails
   */
  default TextCompletion completeBlocking(
      Worker worker, CompletionRequest request, CallContext context) {
    return BlockingWait.await(complete(worker, request, context), context);
  }

  /**
   * Probes the worker's health (HTTP {@code GET /health}).
   *
   * @param worker the worker to probe
   * @param context the probe's deadline and cancellation
   * @return a future that completes normally when the worker is healthy, and exceptionally with a
   *     {@link io.flexroute.WorkerException} when it is not
   */
  CompletableFuture<Void> checkHealth(Worker worker, CallContext context);

  /**
   * Probes the worker's health at a specific endpoint, such as {@code /health_generate}. The default
   * ignores the path and calls {@link #checkHealth(Worker, CallContext)}; transports without paths
   * (gRPC) keep that default.
   *
   * @param worker the worker to probe
   * @param path the endpoint path, starting with {@code /}
   * @param context the probe's deadline and cancellation
   * @return a future that completes normally when the worker is healthy
   */
  default CompletableFuture<Void> checkHealth(Worker worker, String path, CallContext context) {
    return checkHealth(worker, context);
  }

  /**
   * Reads the load the worker reports about itself (SGLang {@code /v1/loads} or {@code /metrics},
   * vLLM {@code /metrics}, gRPC {@code GetLoads}). The default reports that the transport cannot.
   *
   * @param worker the worker to ask
   * @param context the call's deadline and cancellation
   * @return a future of the load, stamped with {@link System#nanoTime()} when it was read
   */
  default CompletableFuture<WorkerLoad> fetchLoad(Worker worker, CallContext context) {
    return CompletableFuture.failedFuture(
        new io.flexroute.RouterException(
            "transport '" + name() + "' cannot read the load of worker '" + worker.id() + "'"));
  }

  /**
   * Asks the worker to stop a request it is running (SGLang {@code POST /abort_request}, gRPC {@code
   * Abort}). The router calls it, best effort, when a request is cancelled or times out; closing
   * the connection is enough for workers that abort on disconnect, which is what the default
   * assumes.
   *
   * @param worker the worker running the request
   * @param requestId the request's id
   * @param context a short deadline for the abort call itself
   * @return a future that completes when the abort was delivered (or was not needed)
   */
  default CompletableFuture<Void> abort(Worker worker, String requestId, CallContext context) {
    return CompletableFuture.completedFuture(null);
  }

  // ---- control plane (io.flexroute.fleet) ----
  //
  // Each default fails with ControlUnsupportedException, so a transport that cannot express an
  // operation needs no code for it and the fleet reports the worker as UNSUPPORTED. Implementations
  // follow the same contract as the request methods: never throw, complete the future with a
  // ControlRejectedException when the worker answered that it did not carry the operation out, and
  // with the request exceptions (WorkerException, RequestTimeoutException, ...) otherwise.

  /**
   * Loads new weights from disk on the worker (SGLang {@code POST /update_weights_from_disk}).
   *
   * @param worker the worker
   * @param update the update
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement
   */
  default CompletableFuture<ControlAck> updateWeightsFromDisk(
      Worker worker, UpdateWeightsFromDisk update, CallContext context) {
    return unsupported(ControlOperation.UPDATE_WEIGHTS_FROM_DISK, worker);
  }

  /**
   * Makes the worker join a weight-update group (SGLang {@code POST /init_weights_update_group});
   * the call returns when the group met.
   *
   * @param worker the worker
   * @param group the group
   * @param rankOffset the worker's first rank in the group
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement
   */
  default CompletableFuture<ControlAck> initWeightsUpdateGroup(
      Worker worker, InitWeightsUpdateGroup group, int rankOffset, CallContext context) {
    return unsupported(ControlOperation.INIT_WEIGHTS_UPDATE_GROUP, worker);
  }

  /**
   * Receives new weights over the weight-update group (SGLang {@code POST
   * /update_weights_from_distributed}).
   *
   * @param worker the worker
   * @param update the update
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement
   */
  default CompletableFuture<ControlAck> updateWeightsFromDistributed(
      Worker worker, UpdateWeightsFromDistributed update, CallContext context) {
    return unsupported(ControlOperation.UPDATE_WEIGHTS_FROM_DISTRIBUTED, worker);
  }

  /**
   * Changes the worker's weight-version label (SGLang {@code POST /update_weight_version}).
   *
   * @param worker the worker
   * @param newVersion the new label
   * @param abortAllRequests whether the worker aborts its running requests
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement, with the new version when stated
   */
  default CompletableFuture<ControlAck> updateWeightVersion(
      Worker worker, String newVersion, boolean abortAllRequests, CallContext context) {
    return unsupported(ControlOperation.UPDATE_WEIGHT_VERSION, worker);
  }

  /**
   * Empties the worker's prefix cache (SGLang {@code /flush_cache}, gRPC {@code FlushCache}).
   *
   * @param worker the worker
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement
   */
  default CompletableFuture<ControlAck> flushCache(Worker worker, CallContext context) {
    return unsupported(ControlOperation.FLUSH_CACHE, worker);
  }

  /**
   * Pauses generation on the worker (SGLang {@code POST /pause_generation}).
   *
   * @param worker the worker
   * @param mode what happens to running requests
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement
   */
  default CompletableFuture<ControlAck> pauseGeneration(
      Worker worker, PauseMode mode, CallContext context) {
    return unsupported(ControlOperation.PAUSE_GENERATION, worker);
  }

  /**
   * Continues generation on the worker (SGLang {@code POST /continue_generation}).
   *
   * @param worker the worker
   * @param context the call's deadline and cancellation
   * @return a future of the worker's acknowledgement
   */
  default CompletableFuture<ControlAck> continueGeneration(Worker worker, CallContext context) {
    return unsupported(ControlOperation.CONTINUE_GENERATION, worker);
  }

  /**
   * Reads the worker's current weight version (SGLang {@code GET /model_info}, gRPC {@code
   * GetModelInfo}).
   *
   * @param worker the worker
   * @param context the call's deadline and cancellation
   * @return a future of the version
   */
  default CompletableFuture<String> readWeightVersion(Worker worker, CallContext context) {
    return unsupported(ControlOperation.READ_WEIGHT_VERSION, worker);
  }

  /**
   * Reads what the worker reports about itself.
   *
   * @param worker the worker
   * @param context the call's deadline and cancellation
   * @return a future of the information
   */
  default CompletableFuture<WorkerInfo> serverInfo(Worker worker, CallContext context) {
    return unsupported(ControlOperation.SERVER_INFO, worker);
  }

  private <T> CompletableFuture<T> unsupported(ControlOperation operation, Worker worker) {
    return CompletableFuture.failedFuture(
        new ControlUnsupportedException(
            operation, worker.id(), "transport '" + name() + "' has no such call"));
  }

  /**
   * Receives word that a worker left a router's fleet, so that the transport can release what it
   * keeps for that worker alone (a channel, a connection), once the calls still running on it have
   * ended: those must be allowed to finish. Called once per removal by every router the worker
   * left; a transport shared by several routers may still be called for the worker by another, so
   * whatever it releases here must be created again on demand. Must not block or throw. The
   * default does nothing.
   *
   * @param worker the worker that left
   */
  default void onWorkerRemoved(Worker worker) {}

  /** Releases what the transport created (connection pools, threads). The default does nothing. */
  @Override
  default void close() {}
}
