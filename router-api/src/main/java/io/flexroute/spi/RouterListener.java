package io.flexroute.spi;

import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Observes requests and workers; the base of metrics, tracing and logging integrations.
 *
 * <p>Every method has an empty default, so new events can be added without breaking implementors.
 * Events of one request come in order: {@link #requestStarted}, then one {@link #workerSelected}
 * per attempt (with a {@link #retryScheduled} between attempts), at most one {@link #firstChunk},
 * and exactly one {@link #requestFinished}. When a deadline or a cancel on another thread ends a
 * request just as an attempt starts, retries or delivers its first chunk, that event can still
 * arrive right after {@code requestFinished}: a listener keeping per-request state drops it at
 * {@code requestFinished} and ignores later events of the request. Worker events come after the change is visible, one at a
 * time and in the order the changes were made, even when different threads made them (a timer
 * ending a breaker's open period, a request closing it): {@link #workerAdded}, {@link
 * #healthChanged} and {@link #workerRemoved} in the order of the registry's changes, and {@link
 * #breakerStateChanged} of one worker in the order of its breaker's. They are told on the thread
 * that made the change or on one that made a later change and is telling the earlier ones first;
 * by then the worker may have changed again, so a listener that needs the current state reads it
 * from the {@link WorkerView}, and one that counts changes uses the states the event names.
 *
 * <p>Methods are called on request threads, concurrently: they must be thread-safe, fast, must not
 * block, and must not call back into the router. An exception (or an error other than the JVM's
 * own, such as a missing class) thrown by a listener is caught and logged; it never affects the
 * request.
 */
public abstract class RouterListener {

  /** A listener that ignores every event. */
  public static final RouterListener NONE = new RouterListener() {};

  /** For subclasses. */
  protected RouterListener() {}

  /**
   * A request was submitted.
   *
   * @param request the request
   */
  public void requestStarted(RequestView request) {}

  /**
   * The strategy chose a worker and the request is being sent to it.
   *
   * @param request the request
   * @param worker the chosen worker
   * @param strategy the name of the strategy that chose it
   */
  public void workerSelected(RequestView request, WorkerView worker, String strategy) {}

  /**
   * An attempt failed with a worker fault and the request will be tried again on another worker.
   *
   * @param request the request
   * @param failedWorker the worker whose attempt failed
   * @param error the failure
   * @param nextAttempt the number of the coming attempt, from 2
   * @param backoff the wait before it
   */
  public void retryScheduled(
      RequestView request,
      WorkerView failedWorker,
      Throwable error,
      int nextAttempt,
      Duration backoff) {}

  /**
   * A worker's circuit breaker changed state.
   *
   * @param worker the worker
   * @param previous the state before
   * @param current the state now
   */
  public void breakerStateChanged(
      WorkerView worker, BreakerState previous, BreakerState current) {}

  /**
   * A stream delivered its first chunk.
   *
   * @param request the request
   * @param worker the worker serving it
   * @param timeToFirstChunk the time from the request's submission to its first chunk, including
   *     any wait in the admission queue and any attempts that failed before the one that served it
   */
  public void firstChunk(RequestView request, WorkerView worker, Duration timeToFirstChunk) {}

  /**
   * A request ended, successfully or not.
   *
   * @param request the request
   * @param worker the worker it ran on, or null when it never reached one
   * @param outcome how it ended
   * @param duration the time from submission to the end
   * @param usage the token counts, if the worker reported them
   * @param error the failure, or null on success
   */
  public void requestFinished(
      RequestView request,
      @Nullable WorkerView worker,
      RequestOutcome outcome,
      Duration duration,
      @Nullable TokenUsage usage,
      @Nullable Throwable error) {}

  /**
   * A worker joined the router (including the initial workers, when the router starts).
   *
   * @param worker the live view of the worker
   */
  public void workerAdded(WorkerView worker) {}

  /**
   * A worker left the router.
   *
   * @param worker the last view of the worker
   */
  public void workerRemoved(WorkerView worker) {}

  /**
   * A worker's health state changed.
   *
   * @param worker the worker's live view (in {@code current} or a later state)
   * @param previous the state before the change
   * @param current the state the change set
   */
  public void healthChanged(
      WorkerView worker, io.flexroute.HealthState previous, io.flexroute.HealthState current) {}

  /**
   * The router was closed; release what the listener holds for it.
   *
   * @param workers the workers the router still had
   */
  public void routerClosed(java.util.List<Worker> workers) {}
}
