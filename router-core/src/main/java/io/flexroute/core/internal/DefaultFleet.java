package io.flexroute.core.internal;

import io.flexroute.RouterClosedException;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.Fleet;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.InitWeightsUpdateGroup;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.UpdateWeightsFromDistributed;
import io.flexroute.fleet.WeightVersionListener;
import io.flexroute.fleet.WeightVersionMismatchException;
import io.flexroute.fleet.WorkerInfo;
import io.flexroute.fleet.WorkerSelector;
import io.flexroute.fleet.WorkerSuccess;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's {@link Fleet}: selects the workers of a broadcast, runs each operation through the
 * workers' transports with a {@link BroadcastRun}, takes workers out of rotation around weight
 * updates and pauses, and records the weight versions it learns in the {@link
 * WeightVersionTracker}.
 *
 * <p>Thread-safe. Broadcasts share nothing but the registry, whose changes are serialised.
 */
final class DefaultFleet implements Fleet {

  private static final Logger log = LoggerFactory.getLogger(DefaultFleet.class);

  /** How often a drain checks whether a worker's running requests finished. */
  private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final WorkerRegistryImpl registry;
  private final WeightVersionTracker versions;
  private final ScheduledExecutorService scheduler;
  private final Executor executor;
  private final Set<BroadcastRun<?>> running = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  DefaultFleet(
      WorkerRegistryImpl registry,
      WeightVersionTracker versions,
      ScheduledExecutorService scheduler,
      Executor executor) {
    this.registry = registry;
    this.versions = versions;
    this.scheduler = scheduler;
    this.executor = executor;
  }

  // ---- weight updates ----

  @Override
  public CompletableFuture<FleetResult<ControlAck>> updateWeightsFromDiskAsync(
      UpdateWeightsFromDisk update, Broadcast broadcast) {
    Objects.requireNonNull(update, "update");
    return weightUpdate(
        ControlOperation.UPDATE_WEIGHTS_FROM_DISK,
        broadcast,
        update.weightVersion(),
        (w, c) -> w.transport().updateWeightsFromDisk(w.worker(), update, c));
  }

  @Override
  public CompletableFuture<FleetResult<ControlAck>> updateWeightsFromDistributedAsync(
      UpdateWeightsFromDistributed update, Broadcast broadcast) {
    Objects.requireNonNull(update, "update");
    return weightUpdate(
        ControlOperation.UPDATE_WEIGHTS_FROM_DISTRIBUTED,
        broadcast,
        update.weightVersion(),
        (w, c) -> w.transport().updateWeightsFromDistributed(w.worker(), update, c));
  }

  /**
   * One worker's weight update: out of rotation, drained, updated, its version read back and
   * recorded, back in rotation (also after a failure: SGLang keeps or restores its weights).
   */
  private CompletableFuture<FleetResult<ControlAck>> weightUpdate(
      ControlOperation operation,
      Broadcast broadcast,
      @Nullable String expectedVersion,
      BroadcastRun.Task<ControlAck> call) {
    return broadcast(
        operation,
        broadcast,
        (worker, context) -> {
          registry.setUpdating(List.of(worker), true);
          CompletableFuture<ControlAck> updated =
              drain(worker, broadcast, context)
                  .thenCompose(ignored -> safely(() -> call.run(worker, context), context))
                  .thenCompose(ack -> readBack(worker, context, ack, expectedVersion));
          return updated.whenComplete(
              (ack, error) -> registry.setUpdating(List.of(worker), false));
        },
        successes -> {});
  }

  /**
   * Waits, up to the broadcast's drain timeout, until the router runs no request on the worker.
   * Completes normally when drained or when the wait is over, exceptionally when the worker's part
   * was cancelled.
   */
  private CompletableFuture<@Nullable Void> drain(
      WorkerState worker, Broadcast broadcast, RouterCallContext context) {
    long wait = Math.min(broadcast.drainTimeout().toNanos(), context.remainingNanos());
    if (wait <= 0 || worker.inFlightRequests() == 0) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<@Nullable Void> drained = new CompletableFuture<>();
    long until = System.nanoTime() + wait;
    context.onCancel(() -> drained.completeExceptionally(new CompletionException(
        new io.flexroute.RequestCancelledException(context.requestId()))));
    pollDrain(worker, until, drained);
    return drained;
  }

  private void pollDrain(
      WorkerState worker, long until, CompletableFuture<@Nullable Void> drained) {
    if (drained.isDone()) {
      return;
    }
    if (worker.inFlightRequests() == 0) {
      drained.complete(null);
      return;
    }
    if (System.nanoTime() - until >= 0) {
      log.info("worker {} still runs {} requests after the drain timeout; updating anyway",
          worker.id(), worker.inFlightRequests());
      drained.complete(null);
      return;
    }
    try {
      scheduler.schedule(
          () -> pollDrain(worker, until, drained), DRAIN_POLL_NANOS, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      drained.completeExceptionally(new RouterClosedException());
    }
  }

  /**
   * Reads the worker's version after an accepted update and records it. A transport that cannot
   * read versions, or a read that fails, leaves the ack's word: the expected version is recorded.
   */
  private CompletableFuture<ControlAck> readBack(
      WorkerState worker,
      RouterCallContext context,
      ControlAck ack,
      @Nullable String expectedVersion) {
    CompletableFuture<String> read =
        safely(() -> worker.transport().readWeightVersion(worker.worker(), context), context);
    return read.handle(
        (version, error) -> {
          if (error == null) {
            versions.set(worker, version);
            if (expectedVersion != null && !expectedVersion.equals(version)) {
              throw new CompletionException(
                  new WeightVersionMismatchException(worker.id(), expectedVersion, version));
            }
            return ack.withWeightVersion(version);
          }
          if (!(unwrap(error) instanceof ControlUnsupportedException)) {
            log.warn("worker {} accepted the weight update, but reading its version back failed;"
                + " recording the version the update set: {}", worker.id(), unwrap(error));
          }
          if (expectedVersion != null) {
            versions.set(worker, expectedVersion);
            return ack.withWeightVersion(expectedVersion);
          }
          return ack.withWeightVersion(worker.weightVersion());
        });
  }

  @Override
  public CompletableFuture<FleetResult<ControlAck>> initWeightsUpdateGroupAsync(
      InitWeightsUpdateGroup group, Broadcast broadcast) {
    Objects.requireNonNull(group, "group");
    List<WorkerState> targets;
    try {
      targets = select(broadcast);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<String> missing = new ArrayList<>();
    for (WorkerState w : targets) {
      if (!group.rankOffsets().containsKey(w.id())) {
        missing.add(w.id());
      }
    }
    if (!missing.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("rankOffsets: no rank offset for workers " + missing));
    }
    return run(
        ControlOperation.INIT_WEIGHTS_UPDATE_GROUP,
        broadcast,
        targets,
        (worker, context) -> {
          registry.setUpdating(List.of(worker), true);
          CompletableFuture<ControlAck> joined =
              safely(
                  () ->
                      worker.transport().initWeightsUpdateGroup(
                          worker.worker(), group, group.rankOffsets().get(worker.id()), context),
                  context);
          return joined.whenComplete((ack, error) -> registry.setUpdating(List.of(worker), false));
        },
        successes -> {});
  }

  @Override
  public CompletableFuture<FleetResult<ControlAck>> updateWeightVersionAsync(
      String newVersion, boolean abortAllRequests, Broadcast broadcast) {
    Objects.requireNonNull(newVersion, "newVersion");
    if (newVersion.isBlank()) {
      throw new IllegalArgumentException("newVersion must not be blank");
    }
    return broadcast(
        ControlOperation.UPDATE_WEIGHT_VERSION,
        broadcast,
        (worker, context) ->
            worker
                .transport()
                .updateWeightVersion(worker.worker(), newVersion, abortAllRequests, context)
                .thenApply(
                    ack -> {
                      String version =
                          ack.weightVersion() != null ? ack.weightVersion() : newVersion;
                      versions.set(worker, version);
                      return ack.withWeightVersion(version);
                    }),
        successes -> {});
  }

  // ---- cache, pause, continue ----

  @Override
  public CompletableFuture<FleetResult<ControlAck>> flushCacheAsync(Broadcast broadcast) {
    return broadcast(
        ControlOperation.FLUSH_CACHE,
        broadcast,
        (worker, context) -> worker.transport().flushCache(worker.worker(), context),
        successes -> {});
  }

  @Override
  public CompletableFuture<FleetResult<ControlAck>> pauseGenerationAsync(
      PauseMode mode, Broadcast broadcast) {
    Objects.requireNonNull(mode, "mode");
    List<WorkerState> targets;
    try {
      targets = select(broadcast);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // A worker an earlier pause already holds stays paused whatever happens to this one: only
    // the workers this pause took out of rotation go back when it fails on them.
    List<WorkerState> wereServing = new ArrayList<>();
    for (WorkerState w : targets) {
      if (!w.isPaused()) {
        wereServing.add(w);
      }
    }
    // Out of rotation before the first pause goes out, so that no request races into a worker
    // that is about to hold or abort it.
    registry.setPaused(targets, true);
    return run(
        ControlOperation.PAUSE_GENERATION,
        broadcast,
        targets,
        (worker, context) ->
            safely(
                    () -> worker.transport().pauseGeneration(worker.worker(), mode, context),
                    context)
                .whenComplete(
                    (ack, error) -> {
                      if (error != null && wereServing.contains(worker)) {
                        registry.setPaused(List.of(worker), false);
                      }
                    }),
        // Workers the broadcast never called (halted after a failure, cancelled, router closing)
        // were taken out of rotation for a pause they never got: they go back too.
        successes -> registry.setPaused(notSucceeded(wereServing, successes), false));
  }

  @Override
  public CompletableFuture<FleetResult<ControlAck>> continueGenerationAsync(Broadcast broadcast) {
    List<WorkerState> targets;
    try {
      targets = select(broadcast);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // Back in rotation together, when the broadcast ends: a request then never sees some of the
    // workers back and the others still paused, which would move affinity sessions for nothing.
    return run(
        ControlOperation.CONTINUE_GENERATION,
        broadcast,
        targets,
        (worker, context) -> worker.transport().continueGeneration(worker.worker(), context),
        successes -> registry.setPaused(succeeded(targets, successes), false));
  }

  // ---- reads ----

  @Override
  public CompletableFuture<FleetResult<String>> readWeightVersionsAsync(Broadcast broadcast) {
    return broadcast(
        ControlOperation.READ_WEIGHT_VERSION,
        broadcast,
        recordingVersion(
            (worker, context) -> worker.transport().readWeightVersion(worker.worker(), context),
            version -> version),
        successes -> {});
  }

  /**
   * After the health probes brought a worker back from unhealthy: reads its weight version, if the
   * router knew one, since a worker that was down may have restarted on other weights (its launch
   * weights) than the ones the router knew. Until the read lands, an answer with weights too old
   * for its request is caught by the router. A worker whose version the router never knew is not
   * read (its transport or server may not tell versions); a failed read leaves the known version.
   */
  void recovered(WorkerState worker) {
    if (closed.get() || worker.weightVersion() == null) {
      return;
    }
    try {
      readWeightVersionsAsync(Broadcast.to(WorkerSelector.ids(worker.id())))
          .whenComplete(
              (result, error) -> {
                if (error != null) {
                  log.debug("reading the version of recovered worker {} failed", worker.id(), error);
                }
              });
    } catch (RuntimeException e) {
      // The router is closing; nothing to read for.
      log.debug("reading the version of recovered worker {} not started", worker.id(), e);
    }
  }

  @Override
  public CompletableFuture<FleetResult<WorkerInfo>> serverInfoAsync(Broadcast broadcast) {
    return broadcast(
        ControlOperation.SERVER_INFO,
        broadcast,
        recordingVersion(
            (worker, context) -> worker.transport().serverInfo(worker.worker(), context),
            WorkerInfo::weightVersion),
        successes -> {});
  }

  /**
   * A read that also records the version it found, unless an update overtook it ({@link
   * WeightVersionTracker#setIfUnchangedSince}).
   */
  private <T> BroadcastRun.Task<T> recordingVersion(
      BroadcastRun.Task<T> read, java.util.function.Function<T, @Nullable String> versionOf) {
    return (worker, context) -> {
      long mark = versions.mark(worker);
      return read.run(worker, context)
          .thenApply(
              value -> {
                String version = versionOf.apply(value);
                if (version != null) {
                  versions.setIfUnchangedSince(worker, version, mark);
                }
                return value;
              });
    };
  }

  @Override
  public Map<String, String> knownWeightVersions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (WorkerState w : registry.snapshot().workers()) {
      String v = w.weightVersion();
      if (v != null) {
        out.put(w.id(), v);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public AutoCloseable addWeightVersionListener(WeightVersionListener listener) {
    return versions.addListener(listener);
  }

  // ---- plumbing ----

  /** Cancels the running broadcasts; new ones fail with {@link RouterClosedException}. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (BroadcastRun<?> run : running) {
      run.cancel(RouterCallContext.Reason.CLOSED);
    }
  }

  private <T> CompletableFuture<FleetResult<T>> broadcast(
      ControlOperation operation,
      Broadcast broadcast,
      BroadcastRun.Task<T> task,
      Consumer<List<WorkerSuccess<T>>> beforeComplete) {
    List<WorkerState> targets;
    try {
      targets = select(broadcast);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return run(operation, broadcast, targets, task, beforeComplete);
  }

  private <T> CompletableFuture<FleetResult<T>> run(
      ControlOperation operation,
      Broadcast broadcast,
      List<WorkerState> targets,
      BroadcastRun.Task<T> task,
      Consumer<List<WorkerSuccess<T>>> beforeComplete) {
    BroadcastRun<T> run =
        new BroadcastRun<>(
            operation, targets, broadcast, guarded(task), scheduler, executor, beforeComplete,
            running::remove);
    running.add(run);
    if (closed.get()) {
      running.remove(run);
      return CompletableFuture.failedFuture(new RouterClosedException());
    }
    return run.start();
  }

  /**
   * The task, with a throw (which the contract forbids) turned into a failed future, run only if
   * the worker selected is still the one registered under its id: one removed since (and perhaps
   * added again, a new worker) is not touched, and the new one is not updated without a drain.
   */
  private <T> BroadcastRun.Task<T> guarded(BroadcastRun.Task<T> task) {
    return (worker, context) -> {
      if (registry.snapshot().get(worker.id()) != worker) {
        return CompletableFuture.failedFuture(new FleetFailures.WorkerLeftException(worker.id()));
      }
      return safely(() -> task.run(worker, context), context);
    };
  }

  /**
   * The broadcast's workers.
   *
   * @throws RouterClosedException if the router is closed
   * @throws IllegalArgumentException if the selector names unknown workers or selects none
   */
  private List<WorkerState> select(Broadcast broadcast) {
    Objects.requireNonNull(broadcast, "broadcast");
    if (closed.get()) {
      throw new RouterClosedException();
    }
    List<WorkerState> all = registry.snapshot().workers();
    List<WorkerView> chosen = broadcast.selector().select(all);
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException(
          broadcast.selector() + " selects none of the router's " + all.size() + " workers");
    }
    List<WorkerState> out = new ArrayList<>(chosen.size());
    for (WorkerView v : chosen) {
      out.add((WorkerState) v);
    }
    return out;
  }

  private static List<WorkerState> succeeded(
      List<WorkerState> targets, List<? extends WorkerSuccess<?>> successes) {
    return bySuccess(targets, successes, true);
  }

  private static List<WorkerState> notSucceeded(
      List<WorkerState> targets, List<? extends WorkerSuccess<?>> successes) {
    return bySuccess(targets, successes, false);
  }

  private static List<WorkerState> bySuccess(
      List<WorkerState> targets, List<? extends WorkerSuccess<?>> successes, boolean succeeded) {
    Set<String> ids = new java.util.HashSet<>();
    for (WorkerSuccess<?> s : successes) {
      ids.add(s.workerId());
    }
    List<WorkerState> out = new ArrayList<>();
    for (WorkerState w : targets) {
      if (ids.contains(w.id()) == succeeded) {
        out.add(w);
      }
    }
    return out;
  }

  /**
   * Runs a transport call, turning a throw or a null future (which the contract forbids) into a
   * failed future, and giving up on it a little after its context's deadline: a transport that
   * ignores the cancellation cannot hang the broadcast, nor keep the worker out of rotation.
   */
  private static <T> CompletableFuture<T> safely(
      java.util.function.Supplier<CompletableFuture<T>> call, RouterCallContext context) {
    return BackgroundCalls.start(
        call, context, Duration.ofNanos(Math.max(0, context.remainingNanos())));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
