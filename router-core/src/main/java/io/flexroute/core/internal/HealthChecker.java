package io.flexroute.core.internal;

import io.flexroute.HealthCheckPolicy;
import io.flexroute.HealthState;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every worker at a fixed interval and moves it between healthy and unhealthy after the
 * policy's numbers of consecutive failures or successes. Draining and removed workers keep their
 * state. At most one probe per worker is outstanding.
 */
final class HealthChecker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  private final WorkerRegistryImpl registry;
  private final HealthCheckPolicy policy;
  private final Set<WorkerState> outstanding = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> task;
  private final Consumer<WorkerState> recovered;
  private volatile boolean closed;

  /**
   * Starts probing.
   *
   * @param scheduler the router's timer, which only starts each round
   * @param executor runs the rounds: sending probes can wait on the transport's locks, and the
   *     timer thread must stay free to fire deadlines on time
   * @param recovered told of a worker the probes brought back from unhealthy (must not throw)
   */
  HealthChecker(
      WorkerRegistryImpl registry,
      HealthCheckPolicy policy,
      ScheduledExecutorService scheduler,
      Executor executor,
      Consumer<WorkerState> recovered) {
    this.registry = registry;
    this.policy = policy;
    this.recovered = recovered;
    long nanos = policy.interval().toNanos();
    this.task =
        scheduler.scheduleWithFixedDelay(
            () -> runOn(executor, this::probeAll), nanos, nanos, TimeUnit.NANOSECONDS);
  }

  private static void runOn(Executor executor, Runnable round) {
    try {
      executor.execute(round);
    } catch (RejectedExecutionException e) {
      // The router is closing.
    }
  }

  private void probeAll() {
    for (WorkerState worker : registry.snapshot().workers()) {
      try {
        probe(worker);
      } catch (RuntimeException e) {
        // Not expected (probe guards the transport); the other workers are still probed.
        log.warn("health probe of worker {} failed to start", worker.id(), e);
      }
    }
  }

  /** Probes one worker now and applies the thresholds. */
  CompletableFuture<HealthState> probe(WorkerState worker) {
    if (!outstanding.add(worker)) {
      return CompletableFuture.completedFuture(worker.health());
    }
    RouterCallContext context =
        new RouterCallContext(
            "health-" + RequestIds.next(),
            System.nanoTime(),
            policy.timeout(),
            worker.worker().headers()); // a gateway in front may need its key on probes too
    CompletableFuture<Void> probe =
        BackgroundCalls.start(
            () -> worker.transport().checkHealth(worker.worker(), policy.path(), context),
            context,
            policy.timeout());
    return probe.handle(
        (ok, error) -> {
          outstanding.remove(worker);
          return record(worker, error == null, error);
        });
  }

  private HealthState record(WorkerState worker, boolean healthy, Throwable error) {
    HealthState state = worker.health();
    if (closed) {
      // A probe that was in flight when the router closed: its listeners heard routerClosed.
      return state;
    }
    if (state == HealthState.DRAINING || state == HealthState.REMOVED) {
      return state;
    }
    if (healthy) {
      worker.probeFailures().set(0);
      if (state == HealthState.UNHEALTHY
          && worker.probeSuccesses().incrementAndGet() >= policy.successThreshold()) {
        worker.probeSuccesses().set(0);
        worker.passiveFailures().set(0);
        if (!registry.transitionHealth(worker, HealthState.UNHEALTHY, HealthState.HEALTHY)) {
          return worker.health();
        }
        recovered.accept(worker);
        return HealthState.HEALTHY;
      }
      return state;
    }
    worker.probeSuccesses().set(0);
    if (state == HealthState.HEALTHY
        && worker.probeFailures().incrementAndGet() >= policy.failureThreshold()) {
      worker.probeFailures().set(0);
      log.warn("worker {} failed {} health probes in a row: {}", worker.id(),
          policy.failureThreshold(), error == null ? "unhealthy" : error.getMessage());
      return registry.transitionHealth(worker, HealthState.HEALTHY, HealthState.UNHEALTHY)
          ? HealthState.UNHEALTHY
          : worker.health();
    }
    return state;
  }

  @Override
  public void close() {
    closed = true;
    task.cancel(false);
  }
}
