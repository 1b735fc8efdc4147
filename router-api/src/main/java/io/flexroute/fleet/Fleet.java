package io.flexroute.fleet;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The router's control plane for RL training: operations broadcast to its workers, with bounded
 * parallelism and a result per worker, and the weight version the router knows for each worker.
 * Reached through {@link io.flexroute.Router#fleet()}. Implementations are thread-safe; broadcasts
 * may run concurrently (two weight updates of one worker at once are the caller's to avoid).
 *
 * <pre>{@code
 * Fleet fleet = router.fleet();
 * FleetResult<ControlAck> r = fleet.updateWeightsFromDisk(
 *     UpdateWeightsFromDisk.builder("/ckpt/step-8").weightVersion("8").build(),
 *     Broadcast.rolling(WorkerSelector.model("qwen3-8b")));
 * r.failures().forEach(f -> log.warn("{}: {}", f.workerId(), f.cause()));
 * GenerateResult g = router.generate(request.toBuilder().minWeightVersion("8").build());
 * }</pre>
 *
 * <h2>Broadcasts</h2>
 *
 * Every operation goes to the workers its {@link Broadcast} selects, at most {@link
 * Broadcast#parallelism()} at a time, each within {@link Broadcast#timeout()}. A worker's failure
 * is reported in the {@link FleetResult} with a typed {@link WorkerFailure.Cause} and never stops the
 * others (unless {@link Broadcast#haltOnFailure()}; the rest are then {@link
 * WorkerFailure.Cause#SKIPPED}). The blocking methods wait for the whole broadcast; the {@code
 * Async} ones return a future completed on the router's executor, whose cancellation cancels the
 * workers' calls still running. Both throw (or complete exceptionally with) only what keeps the
 * broadcast from running at all: {@link IllegalArgumentException} when the selector names unknown
 * workers or selects none, {@link io.flexroute.RouterClosedException} once the router is closed.
 *
 * <h2>Weight versions and routing</h2>
 *
 * The router knows a weight version per worker ({@link
 * io.flexroute.spi.WorkerView#weightVersion()}): set by weight updates (read back from the worker
 * once it accepted them), by {@link #readWeightVersions} and by a read when health probes bring
 * the worker back from unhealthy; raised when a worker's answer reports a newer version, and
 * lowered when an answer shows the worker went back to older weights after the router learnt its
 * version. While a worker
 * updates its weights or joins a weight-update group it is taken out of rotation: the router sends
 * it no new request until the call ended and the worker reported its version; the other workers
 * keep serving. Paused workers are out of rotation from before the pause is sent until they were
 * continued. A request with {@link io.flexroute.InferenceRequest#minWeightVersion()} goes only to
 * workers known to have that version or a newer one.
 *
 */
public interface Fleet {

  /**
   * Loads new weights from disk on the selected workers; see {@link #updateWeightsFromDiskAsync}.
   *
   * @param update the update
   * @param broadcast the workers and how
   * @return every worker's outcome; on success the acknowledgement carries the version the worker
   *     reports afterwards
   */
  default FleetResult<ControlAck> updateWeightsFromDisk(
      UpdateWeightsFromDisk update, Broadcast broadcast) {
    return FleetCalls.await(updateWeightsFromDiskAsync(update, broadcast));
  }

  /**
   * Loads new weights from disk on the selected workers. Each worker is taken out of rotation,
   * drained for up to {@link Broadcast#drainTimeout()}, sent the update, then asked for its weight
   * version; it returns to rotation when that ended, with the version it reports (on failure, with
   * the version it had: SGLang keeps or restores its weights). A worker that reports a version
   * other than {@link UpdateWeightsFromDisk#weightVersion()} fails with {@link
   * WorkerFailure.Cause#VERSION_MISMATCH}.
   *
   * @param update the update
   * @param broadcast the workers and how
   * @return a future of every worker's outcome
   */
  CompletableFuture<FleetResult<ControlAck>> updateWeightsFromDiskAsync(
      UpdateWeightsFromDisk update, Broadcast broadcast);

  /**
   * Makes the selected workers join a weight-update group; see {@link
   * #initWeightsUpdateGroupAsync}.
   *
   * @param group the group
   * @param broadcast the workers and how
   * @return every worker's outcome
   */
  default FleetResult<ControlAck> initWeightsUpdateGroup(
      InitWeightsUpdateGroup group, Broadcast broadcast) {
    return FleetCalls.await(initWeightsUpdateGroupAsync(group, broadcast));
  }

  /**
   * Makes the selected workers join a weight-update group. Each worker is out of rotation while
   * its call runs (SGLang holds requests until the group met). Every selected worker needs a rank
   * offset in the group description.
   *
   * @param group the group
   * @param broadcast the workers and how
   * @return a future of every worker's outcome; it fails with {@link IllegalArgumentException},
   *     before anything is sent, if a selected worker has no rank offset
   */
  CompletableFuture<FleetResult<ControlAck>> initWeightsUpdateGroupAsync(
      InitWeightsUpdateGroup group, Broadcast broadcast);

  /**
   * Receives new weights over the weight-update group; see {@link
   * #updateWeightsFromDistributedAsync}.
   *
   * @param update the update
   * @param broadcast the workers and how
   * @return every worker's outcome
   */
  default FleetResult<ControlAck> updateWeightsFromDistributed(
      UpdateWeightsFromDistributed update, Broadcast broadcast) {
    return FleetCalls.await(updateWeightsFromDistributedAsync(update, broadcast));
  }

  /**
   * Receives new weights over the weight-update group, with the same rotation, drain and version
   * read-back as {@link #updateWeightsFromDiskAsync}. The trainer must broadcast the tensors while
   * the calls run, so use a parallelism that covers every worker of the group.
   *
   * @param update the update
   * @param broadcast the workers and how
   * @return a future of every worker's outcome
   */
  CompletableFuture<FleetResult<ControlAck>> updateWeightsFromDistributedAsync(
      UpdateWeightsFromDistributed update, Broadcast broadcast);

  /**
   * Changes only the weight-version label of the selected workers; see {@link
   * #updateWeightVersionAsync}.
   *
   * @param newVersion the new label
   * @param abortAllRequests whether the workers abort their running requests (SGLang's default)
   * @param broadcast the workers and how
   * @return every worker's outcome
   * @throws IllegalArgumentException if the version is blank
   */
  default FleetResult<ControlAck> updateWeightVersion(
      String newVersion, boolean abortAllRequests, Broadcast broadcast) {
    return FleetCalls.await(updateWeightVersionAsync(newVersion, abortAllRequests, broadcast));
  }

  /**
   * Changes only the weight-version label of the selected workers (SGLang {@code
   * /update_weight_version}), for weights loaded some other way; the router records the new
   * label for each worker that accepted it.
   *
   * @param newVersion the new label
   * @param abortAllRequests whether the workers abort their running requests
   * @param broadcast the workers and how
   * @return a future of every worker's outcome
   * @throws IllegalArgumentException if the version is blank
   */
  CompletableFuture<FleetResult<ControlAck>> updateWeightVersionAsync(
      String newVersion, boolean abortAllRequests, Broadcast broadcast);

  /**
   * Empties the prefix cache of the selected workers; see {@link #flushCacheAsync}.
   *
   * @param broadcast the workers and how
   * @return every worker's outcome
   */
  default FleetResult<ControlAck> flushCache(Broadcast broadcast) {
    return FleetCalls.await(flushCacheAsync(broadcast));
  }

  /**
   * Empties the prefix cache of the selected workers (SGLang {@code /flush_cache}). SGLang refuses
   * while requests run on it ({@link WorkerFailure.Cause#REJECTED}); pause first.
   *
   * @param broadcast the workers and how
   * @return a future of every worker's outcome
   */
  CompletableFuture<FleetResult<ControlAck>> flushCacheAsync(Broadcast broadcast);

  /**
   * Pauses generation on the selected workers; see {@link #pauseGenerationAsync}.
   *
   * @param mode what happens to running requests
   * @param broadcast the workers and how
   * @return every worker's outcome
   */
  default FleetResult<ControlAck> pauseGeneration(PauseMode mode, Broadcast broadcast) {
    return FleetCalls.await(pauseGenerationAsync(mode, broadcast));
  }

  /**
   * Pauses generation on the selected workers (SGLang {@code /pause_generation}). The router takes
   * every selected worker out of rotation before the first call goes out, and puts back those
   * whose pause failed and, when the broadcast ends, those it never called (halted after a
   * failure, cancelled). Requests that find no worker wait in the admission queue, if the router
   * has one, until {@link #continueGenerationAsync continued}.
   *
   * @param mode what happens to running requests
   * @param broadcast the workers and how
   * @return a future of every worker's outcome
   */
  CompletableFuture<FleetResult<ControlAck>> pauseGenerationAsync(
      PauseMode mode, Broadcast broadcast);

  /**
   * Continues generation on the selected workers; see {@link #continueGenerationAsync}.
   *
   * @param broadcast the workers and how
   * @return every worker's outcome
   */
  default FleetResult<ControlAck> continueGeneration(Broadcast broadcast) {
    return FleetCalls.await(continueGenerationAsync(broadcast));
  }

  /**
   * Continues generation on the selected workers (SGLang {@code /continue_generation}). The
   * workers that continued return to rotation together when the broadcast ends; a worker whose
   * call failed stays out of rotation.
   *
   * @param broadcast the workers and how
   * @return a future of every worker's outcome
   */
  CompletableFuture<FleetResult<ControlAck>> continueGenerationAsync(Broadcast broadcast);

  /**
   * Reads the selected workers' current weight versions; see {@link #readWeightVersionsAsync}.
   *
   * @param broadcast the workers and how
   * @return every worker's version
   */
  default FleetResult<String> readWeightVersions(Broadcast broadcast) {
    return FleetCalls.await(readWeightVersionsAsync(broadcast));
  }

  /**
   * Reads the selected workers' current weight versions (SGLang {@code /model_info}, gRPC {@code
   * GetModelInfo}) and records them as the router's known versions, replacing what it knew (also a
   * lower version, after a worker was restarted with older weights). A worker whose weights a
   * fleet update changed while the read ran, or is changing now, keeps the version the update
   * recorded: the read may have seen the weights before it.
   *
   * @param broadcast the workers and how
   * @return a future of every worker's version
   */
  CompletableFuture<FleetResult<String>> readWeightVersionsAsync(Broadcast broadcast);

  /**
   * Reads what the selected workers report about themselves; see {@link #serverInfoAsync}.
   *
   * @param broadcast the workers and how
   * @return every worker's information
   */
  default FleetResult<WorkerInfo> serverInfo(Broadcast broadcast) {
    return FleetCalls.await(serverInfoAsync(broadcast));
  }

  /**
   * Reads what the selected workers report about themselves (SGLang {@code /server_info} and
   * {@code /model_info}, gRPC {@code GetServerInfo} and {@code GetModelInfo}); records the weight
   * versions as {@link #readWeightVersionsAsync} does.
   *
   * @param broadcast the workers and how
   * @return a future of every worker's information
   */
  CompletableFuture<FleetResult<WorkerInfo>> serverInfoAsync(Broadcast broadcast);

  /**
   * The weight version the router knows for each worker whose version it knows.
   *
   * @return an immutable map by worker id, in the router's order
   */
  Map<String, String> knownWeightVersions();

  /**
   * Registers a listener for changes of the workers' known weight versions.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} unregisters it
   */
  AutoCloseable addWeightVersionListener(WeightVersionListener listener);
}
