package io.flexroute.core.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The life of one request across its attempts: its deadline, its cancellation, the workers that
 * already failed it, and its single end.
 *
 * <p>{@link #finish} runs once, whichever of result, final failure, deadline, caller cancel or
 * router close comes first; a cancel or deadline also cancels the running attempt, whose own
 * {@link Attempt#finish} then releases the worker's slot.
 *
 * <p>Thread-safe. One is created per request, so its state is kept in few objects: the end is one
 * reference, the other one-way switches are bits of one word, and the set of failed workers is
 * created on the first failure.
 */
final class RequestCall {

  private static final VarHandle FLAGS;
  private static final VarHandle END;
  private static final VarHandle STOP_WAITING;
  private static final VarHandle WAITS;
  private static final VarHandle FAILED_WORKERS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      FLAGS = lookup.findVarHandle(RequestCall.class, "flags", int.class);
      END = lookup.findVarHandle(RequestCall.class, "end", Object.class);
      STOP_WAITING = lookup.findVarHandle(RequestCall.class, "stopWaiting", StopWaiting.class);
      WAITS = lookup.findVarHandle(RequestCall.class, "waits", long.class);
      FAILED_WORKERS = lookup.findVarHandle(RequestCall.class, "failedWorkers", Set.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The end of a request that did not end with a {@link RouterException}. */
  private static final Object ENDED = new Object();

  /** fail() has told the listeners; the failure then goes to the sink exactly once. */
  private static final int FAILED = 2;
  private static final int FAILURE_DELIVERED = 4;
  private static final int HOLDS_GLOBAL_PERMIT = 8;

  private final RequestViewImpl view;
  private final long startNanos;
  private final Duration timeout;
  private final long deadlineNanos;
  private final ListenerSet listeners;
  private final Consumer<RequestCall> onEnd;
  // Identity semantics with a hash that needs no call into the VM (the active-call set hashes
  // every request).
  private final int hash = ThreadLocalRandom.current().nextInt();
  private volatile int flags;
  private volatile @Nullable Set<String> failedWorkers;
  private volatile @Nullable Attempt current;
  /**
   * Null while the request runs, then how it ended: the {@link RouterException} it failed with, or
   * {@link #ENDED}. One compare-and-set decides the end and publishes its failure together, so
   * that a thread that lost the race to end the request always sees the winner's failure.
   */
  private volatile @Nullable Object end;
  private volatile @Nullable RouterException lastWorkerError;
  private volatile @Nullable ScheduledFuture<?> timer;
  private volatile @Nullable Consumer<RouterException> failureSink;
  /** How to leave the admission queue, registered by the latest wait (see setStopWaiting). */
  private volatile @Nullable StopWaiting stopWaiting;
  /** Waits in the admission queue so far; numbers them so that an older one cannot win. */
  private volatile long waits;
  private volatile int attempts;

  RequestCall(
      RequestViewImpl view,
      long startNanos,
      Duration timeout,
      ListenerSet listeners,
      Consumer<RequestCall> onEnd) {
    this.view = view;
    this.startNanos = startNanos;
    this.timeout = timeout;
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 4;
    }
    this.deadlineNanos = startNanos + Math.min(nanos, Long.MAX_VALUE / 4);
    this.listeners = listeners;
    this.onEnd = onEnd;
  }

  RequestViewImpl view() {
    return view;
  }

  long startNanos() {
    return startNanos;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  Duration timeout() {
    return timeout;
  }

  long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return this == other;
  }

  /** Sets a flag; {@code true} for the one caller that found it clear. */
  private boolean set(int flag) {
    int f;
    do {
      f = flags;
      if ((f & flag) != 0) {
        return false;
      }
    } while (!FLAGS.compareAndSet(this, f, f | flag));
    return true;
  }

  /** Clears a flag; {@code true} for the one caller that found it set. */
  private boolean clear(int flag) {
    int f;
    do {
      f = flags;
      if ((f & flag) == 0) {
        return false;
      }
    } while (!FLAGS.compareAndSet(this, f, f & ~flag));
    return true;
  }

  boolean isFinished() {
    return end != null;
  }

  @Nullable RouterException failure() {
    return end instanceof RouterException failure ? failure : null;
  }

  @Nullable Attempt current() {
    return current;
  }

  void setCurrent(Attempt attempt) {
    this.current = attempt;
    attempts = attempt.number();
    if (isFinished()) {
      // The request ended (deadline, cancel, close) while this attempt was being set up.
      RouterException f = failure();
      attempt.context().cancel(reasonOf(f));
      attempt.finish(f == null ? RequestOutcome.CANCELLED : outcomeOf(f), null, f);
    }
  }

  int attempts() {
    return attempts;
  }

  /** The workers that failed this request so far; empty and immutable until one fails. */
  Set<String> failedWorkers() {
    Set<String> failed = failedWorkers;
    return failed == null ? Set.of() : failed;
  }

  void recordWorkerFailure(String workerId, RouterException error) {
    Set<String> failed = failedWorkers;
    if (failed == null) {
      Set<String> created = ConcurrentHashMap.newKeySet();
      failed =
          FAILED_WORKERS.compareAndSet(this, null, created) ? created : failedWorkers;
    }
    failed.add(workerId);
    lastWorkerError = error;
  }

  @Nullable RouterException lastWorkerError() {
    return lastWorkerError;
  }

  void setTimer(ScheduledFuture<?> timer) {
    this.timer = timer;
    if (isFinished()) {
      timer.cancel(false);
    }
  }

  /**
   * Sets who hears of the request's failure. A failure that came first (the deadline can fire, and
   * the router can close, as soon as the request exists) is delivered at once; either way the sink
   * hears of it exactly once.
   */
  void setFailureSink(Consumer<RouterException> sink) {
    this.failureSink = sink;
    deliverFailure();
  }

  private void deliverFailure() {
    Consumer<RouterException> sink = failureSink;
    RouterException error = failure();
    if (sink != null && error != null && (flags & FAILED) != 0 && set(FAILURE_DELIVERED)) {
      sink.accept(error);
    }
  }

  /**
   * Numbers a new wait in the admission queue; call before the waiter becomes visible in the queue,
   * so that a retry woken from it gets a higher number.
   */
  long nextWait() {
    return (long) WAITS.getAndAdd(this, 1L) + 1;
  }

  /**
   * Registers how to leave the queue for the wait numbered {@code wait}, unless a later wait
   * already registered its own: a retry woken from this wait can register before this call runs,
   * and overwriting it would leave the newer waiter behind when the request ends.
   */
  void setStopWaiting(long wait, Runnable stop) {
    StopWaiting next = new StopWaiting(wait, stop);
    while (true) {
      StopWaiting current = stopWaiting;
      if (current != null && current.number > wait) {
        return;
      }
      if (STOP_WAITING.compareAndSet(this, current, next)) {
        return;
      }
    }
  }

  private record StopWaiting(long number, Runnable run) {}

  boolean holdsGlobalPermit() {
    return (flags & HOLDS_GLOBAL_PERMIT) != 0;
  }

  /** Records that the call took a router-wide permit. */
  void holdGlobalPermit() {
    set(HOLDS_GLOBAL_PERMIT);
  }

  /**
   * Marks the call's router-wide permit as given back.
   *
   * @return {@code true} for the one caller that must give it back
   */
  boolean giveBackGlobalPermit() {
    return clear(HOLDS_GLOBAL_PERMIT);
  }

  /**
   * Cancels the request for a reason: ends it with the matching exception, cancels the running
   * attempt (which aborts its I/O) and tells the failure sink.
   *
   * @return {@code true} if this call ended the request
   */
  boolean cancel(RouterCallContext.Reason reason) {
    RouterException error =
        switch (reason) {
          case TIMEOUT -> new RequestTimeoutException(view.requestId(), timeout);
          case CALLER -> new RequestCancelledException(view.requestId());
          case CLOSED -> new RouterClosedException();
        };
    RequestOutcome outcome =
        reason == RouterCallContext.Reason.TIMEOUT
            ? RequestOutcome.TIMEOUT
            : RequestOutcome.CANCELLED;
    return fail(outcome, error);
  }

  /**
   * Ends the request with a failure and delivers it to the failure sink.
   *
   * @return {@code true} if this call ended the request
   */
  boolean fail(RequestOutcome outcome, RouterException error) {
    if (!END.compareAndSet(this, null, error)) {
      return false;
    }
    Attempt a = current;
    if (a != null && !a.isFinished()) {
      // Abort the attempt's I/O and give its slot back before anyone hears that the request
      // ended: a stream nobody reads any more would otherwise hold the slot forever.
      a.context().cancel(reasonOf(error));
      a.finish(outcome, null, error);
    }
    StopWaiting stop = stopWaiting;
    if (stop != null) {
      stop.run().run();
    }
    complete(outcome, null, error);
    set(FAILED);
    deliverFailure();
    return true;
  }

  private static RouterCallContext.Reason reasonOf(@Nullable RouterException error) {
    if (error instanceof RequestTimeoutException) {
      return RouterCallContext.Reason.TIMEOUT;
    }
    if (error instanceof RouterClosedException) {
      return RouterCallContext.Reason.CLOSED;
    }
    return RouterCallContext.Reason.CALLER;
  }

  /**
   * Ends the request, unless it already ended, and tells the listeners.
   *
   * @return {@code true} for the one call that ended it
   */
  boolean finish(RequestOutcome outcome, @Nullable TokenUsage usage, @Nullable Throwable error) {
    if (!END.compareAndSet(this, null, error instanceof RouterException re ? re : ENDED)) {
      return false;
    }
    complete(outcome, usage, error);
    return true;
  }

  private void complete(
      RequestOutcome outcome, @Nullable TokenUsage usage, @Nullable Throwable error) {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    onEnd.accept(this);
    Attempt a = current;
    listeners.requestFinished(
        view,
        a == null ? null : a.worker(),
        outcome,
        Duration.ofNanos(Math.max(1, System.nanoTime() - startNanos)),
        usage,
        error);
  }

  /** Maps any failure of an attempt to the exception the caller sees. */
  static RouterException mapFailure(Throwable error, String transportName, String workerId) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RouterException re) {
      return re;
    }
    return new RouterException(
        "transport '" + transportName + "' failed for worker '" + workerId + "'", cause);
  }

  static RequestOutcome outcomeOf(RouterException error) {
    if (error instanceof RequestTimeoutException) {
      return RequestOutcome.TIMEOUT;
    }
    if (error instanceof RequestCancelledException || error instanceof RouterClosedException) {
      return RequestOutcome.CANCELLED;
    }
    if (error instanceof io.flexroute.NoEligibleWorkerException
        || error instanceof io.flexroute.RequestRejectedException) {
      return RequestOutcome.REJECTED;
    }
    if (error instanceof WorkerException we) {
      // The worker works; the router refused an answer made with weights too old for the request.
      return we.kind() == WorkerException.Kind.WEIGHT_VERSION
          ? RequestOutcome.REJECTED
          : RequestOutcome.WORKER_ERROR;
    }
    return RequestOutcome.WORKER_ERROR;
  }
}
