package io.flexroute.core.internal;

import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of a request on one worker. It owns the worker's in-flight slot and the breaker permit,
 * and gives both back exactly once through {@link #finish}, whichever end path gets there first.
 */
final class Attempt {

  private static final Logger log = LoggerFactory.getLogger(Attempt.class);

  /** What the router does when an attempt ends (breaker, parking, passive health, waiters). */
  interface EndHook {
    void ended(Attempt attempt, RequestOutcome outcome, @Nullable Throwable error);
  }

  /** Strategy names whose onComplete threw, already logged at WARN. */
  private static final Set<String> WARNED_ON_COMPLETE = ConcurrentHashMap.newKeySet();

  private final RequestCall call;
  private final RequestView view;
  private final WorkerState worker;
  private final InFlightGuard guard;
  private final long breakerPermit;
  private final RouterCallContext context;
  private final RoutingStrategy strategy;
  private final EndHook endHook;
  private final int number;
  private final long startNanos = System.nanoTime();
  // What the router knew of the worker's weights when the attempt was sent (the mark read first):
  // an answer with older weights than that shows the worker went back (WeightVersionTracker).
  private final long versionMark;
  private final @Nullable String versionAtDispatch;
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile long firstChunkNanos;
  // False while a stream's chunk waits for its caller to ask for the next one: a deadline passing
  // then is the caller's slowness, not a fault of the worker.
  private volatile boolean waitingForWorker = true;

  Attempt(
      RequestCall call,
      RequestView view,
      WorkerState worker,
      InFlightGuard guard,
      long breakerPermit,
      RouterCallContext context,
      RoutingStrategy strategy,
      EndHook endHook,
      int number) {
    this.call = call;
    this.view = view;
    this.worker = worker;
    this.guard = guard;
    this.breakerPermit = breakerPermit;
    this.context = context;
    this.strategy = strategy;
    this.endHook = endHook;
    this.number = number;
    this.versionMark = WeightVersionTracker.recordMark(worker);
    this.versionAtDispatch = worker.weightVersion();
  }

  RequestCall call() {
    return call;
  }

  WorkerState worker() {
    return worker;
  }

  /** @return the permit the worker's circuit breaker gave this attempt */
  long breakerPermit() {
    return breakerPermit;
  }

  RouterCallContext context() {
    return context;
  }

  int number() {
    return number;
  }

  /** @return the worker's version mark when the attempt was sent */
  long versionMark() {
    return versionMark;
  }

  /** @return the worker's known weight version when the attempt was sent, or null */
  @Nullable String versionAtDispatch() {
    return versionAtDispatch;
  }

  boolean isFinished() {
    return finished.get();
  }

  /** Sets whether the attempt waits for the worker (true) or for its caller to read on (false). */
  void waitingForWorker(boolean waiting) {
    this.waitingForWorker = waiting;
  }

  /** @return whether the attempt waits for the worker rather than for its caller */
  boolean waitingForWorker() {
    return waitingForWorker;
  }

  /** Records the first chunk of a stream (once per attempt). */
  void firstChunk() {
    if (firstChunkNanos == 0) {
      long now = System.nanoTime();
      firstChunkNanos = now;
      worker.recordTtft(Math.max(1, now - startNanos));
    }
  }

  /**
   * Ends the attempt, unless it already ended: releases the slot, informs the strategy, the
   * breaker and the router.
   *
   * @return {@code true} for the one call that ended it
   */
  boolean finish(RequestOutcome outcome, @Nullable TokenUsage usage, @Nullable Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    guard.release();
    if (outcome == RequestOutcome.SUCCESS) {
      context.complete();
    }
    long duration = Math.max(1, System.nanoTime() - startNanos);
    if (outcome == RequestOutcome.SUCCESS) {
      worker.recordLatency(duration);
    }
    long first = firstChunkNanos;
    Duration ttft = first == 0 ? null : Duration.ofNanos(Math.max(1, first - startNanos));
    try {
      strategy.onComplete(
          new RequestFeedback(
              view, worker, outcome, Duration.ofNanos(duration), ttft, usage));
    } catch (RuntimeException e) {
      // Once per strategy name at WARN: a faulty plug-in would otherwise log on every request.
      if (WARNED_ON_COMPLETE.add(strategy.name())) {
        log.warn("strategy {} threw in onComplete; ignoring it (logged once, then at DEBUG)",
            strategy.name(), e);
      } else {
        log.debug("strategy {} threw in onComplete; ignoring it", strategy.name(), e);
      }
    } finally {
      // Also after an Error from the strategy: the end hook gives back the breaker's probe place.
      endHook.ended(this, outcome, error);
    }
    return true;
  }
}
