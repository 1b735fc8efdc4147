package io.flexroute.core.internal;

import io.flexroute.spi.WorkerLoad;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every worker's self-reported load at a fixed interval (started by the router's scheduler,
 * sent from its executor) and stores it in the worker's state, where strategies read it.
 *
 * <p>At most one poll per worker is outstanding: a worker slower to answer than the interval is
 * skipped until its previous answer arrives. A failed poll keeps the last load (its timestamp tells
 * strategies how old it is) and is logged once per worker until a poll succeeds again.
 */
final class LoadPoller implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LoadPoller.class);

  private final Supplier<WorkerSnapshot> snapshots;
  private final Duration interval;
  private final Set<WorkerState> outstanding = ConcurrentHashMap.newKeySet();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> task;

  /**
   * Starts polling.
   *
   * @param scheduler the router's timer, which only starts each round
   * @param executor runs the rounds: sending polls can wait on the transport's locks, and the
   *     timer thread must stay free to fire deadlines on time
   */
  LoadPoller(
      Supplier<WorkerSnapshot> snapshots,
      Duration interval,
      ScheduledExecutorService scheduler,
      Executor executor) {
    this.snapshots = snapshots;
    this.interval = interval;
    long nanos = interval.toNanos();
    this.task =
        scheduler.scheduleWithFixedDelay(
            () -> {
              try {
                executor.execute(this::pollAll);
              } catch (RejectedExecutionException e) {
                // The router is closing.
              }
            },
            0,
            nanos,
            TimeUnit.NANOSECONDS);
  }

  private void pollAll() {
    for (WorkerState worker : snapshots.get().workers()) {
      if (!outstanding.add(worker)) {
        continue;
      }
      Duration timeout =
          interval.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : interval;
      RouterCallContext context =
          new RouterCallContext(
              "load-" + RequestIds.next(), System.nanoTime(), timeout, worker.worker().headers());
      CompletableFuture<WorkerLoad> poll =
          BackgroundCalls.start(
              () -> worker.transport().fetchLoad(worker.worker(), context), context, timeout);
      poll.whenComplete(
          (load, error) -> {
            outstanding.remove(worker);
            if (error == null && load != null) {
              worker.setReportedLoad(load);
              if (failing.remove(worker.id())) {
                log.info("load polling of worker {} works again", worker.id());
              }
            } else if (failing.add(worker.id())) {
              log.warn("load polling of worker {} failed; keeping its last load", worker.id(),
                  error);
            }
          });
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
