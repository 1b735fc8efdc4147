package io.flexroute.core.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RoutingStrategy;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one routed request after a worker was chosen: it owns the in-flight guard, the
 * deadline timer and the end-of-request bookkeeping.
 *
 * <p>Every end path (result, error, deadline, caller cancel, stream end, router close) calls {@link
 * #finish}; only the first call counts, so the guard is released, the strategy informed and the
 * listeners told exactly once.
 */
final class CallTracker {

  private static final Logger log = LoggerFactory.getLogger(CallTracker.class);

  private final RequestViewImpl view;
  private final WorkerState worker;
  private final InFlightGuard guard;
  private final RouterCallContext context;
  private final long startNanos;
  private final RoutingStrategy strategy;
  private final ListenerSet listeners;
  private final Consumer<CallTracker> onFinished;
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile long firstChunkNanos;
  private volatile @Nullable ScheduledFuture<?> timer;
  private volatile @Nullable Consumer<RouterException> failureSink;
  private volatile @Nullable RouterException failure;

  CallTracker(
      RequestViewImpl view,
      WorkerState worker,
      InFlightGuard guard,
      RouterCallContext context,
      long startNanos,
      RoutingStrategy strategy,
      ListenerSet listeners,
      Consumer<CallTracker> onFinished) {
    this.view = view;
    this.worker = worker;
    this.guard = guard;
    this.context = context;
    this.startNanos = startNanos;
    this.strategy = strategy;
    this.listeners = listeners;
    this.onFinished = onFinished;
  }

  RequestViewImpl view() {
    return view;
  }

  WorkerState worker() {
    return worker;
  }

  RouterCallContext context() {
    return context;
  }

  boolean isFinished() {
    return finished.get();
  }

  /** The exception the request ended with, once it ended unsuccessfully. */
  @Nullable RouterException failure() {
    return failure;
  }

  void setTimer(ScheduledFuture<?> timer) {
    this.timer = timer;
    if (finished.get()) {
      timer.cancel(false);
    }
  }

  /** Where a failure that the tracker itself detects (deadline, cancel, close) is delivered. */
  void setFailureSink(Consumer<RouterException> sink) {
    this.failureSink = sink;
  }

  /** Called by the context when the call is cancelled for any reason. */
  void onContextCancelled() {
    RouterException error = cancellationError();
    if (error != null && finish(outcomeOf(error), null, error)) {
      Consumer<RouterException> sink = failureSink;
      if (sink != null) {
        sink.accept(error);
      }
    }
  }

  private @Nullable RouterException cancellationError() {
    RouterCallContext.Reason reason = context.reason();
    if (reason == null) {
      return null;
    }
    return switch (reason) {
      case TIMEOUT -> new RequestTimeoutException(view.requestId(), context.timeout());
      case CALLER -> new RequestCancelledException(view.requestId());
      case CLOSED -> new RouterClosedException();
    };
  }

  /**
   * Maps a failure from the transport: once the call was cancelled, the cancellation's reason wins
   * over whatever I/O error the abort caused.
   */
  RouterException mapFailure(Throwable error) {
    RouterException cancelled = cancellationError();
    if (cancelled != null) {
      RouterException known = failure;
      return known != null ? known : cancelled;
    }
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RouterException re) {
      return re;
    }
    return new RouterException(
        "transport '" + worker.transport().name() + "' failed for worker '" + worker.id() + "'",
        cause);
  }

  static RequestOutcome outcomeOf(RouterException error) {
    if (error instanceof RequestTimeoutException) {
      return RequestOutcome.TIMEOUT;
    }
    if (error instanceof RequestCancelledException || error instanceof RouterClosedException) {
      return RequestOutcome.CANCELLED;
    }
    if (error instanceof WorkerException) {
      return RequestOutcome.WORKER_ERROR;
    }
    return RequestOutcome.WORKER_ERROR;
  }

  /** Records the first chunk of a stream (once). */
  void firstChunk() {
    if (firstChunkNanos == 0) {
      long now = System.nanoTime();
      firstChunkNanos = now;
      long ttft = Math.max(1, now - startNanos);
      worker.recordTtft(ttft);
      listeners.firstChunk(view, worker, Duration.ofNanos(ttft));
    }
  }

  /**
   * Ends the request, unless it already ended.
   *
   * @return {@code true} for the one call that ended it
   */
  boolean finish(RequestOutcome outcome, @Nullable TokenUsage usage, @Nullable Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    if (error instanceof RouterException re) {
      failure = re;
    }
    guard.release();
    if (outcome == RequestOutcome.SUCCESS) {
      context.complete();
    }
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    onFinished.accept(this);
    long duration = Math.max(1, System.nanoTime() - startNanos);
    if (outcome == RequestOutcome.SUCCESS) {
      worker.recordLatency(duration);
    }
    long first = firstChunkNanos;
    Duration ttft = first == 0 ? null : Duration.ofNanos(Math.max(1, first - startNanos));
    try {
      strategy.onComplete(
          new RequestFeedback(view, worker, outcome, Duration.ofNanos(duration), ttft, usage));
    } catch (RuntimeException e) {
      log.warn("strategy {} threw in onComplete; ignoring it", strategy.name(), e);
    }
    listeners.requestFinished(view, worker, outcome, Duration.ofNanos(duration), usage, error);
    if (log.isDebugEnabled()) {
      log.debug("request {} on {} ended {} after {} us", view.requestId(), worker.id(), outcome,
          duration / 1000);
    }
    return true;
  }
}
