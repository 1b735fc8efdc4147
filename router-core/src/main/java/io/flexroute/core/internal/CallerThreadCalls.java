package io.flexroute.core.internal;

import io.flexroute.InferenceRequest;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestOutcome;
import io.flexroute.RouterException;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Runs the steps of a request that block the caller's thread: waiting for an attempt, waiting out
 * a retry backoff, and a whole unary call with its retries.
 *
 * <p>A blocking unary call does all its work on the caller's thread, its I/O included (through
 * the transport's blocking methods), and arms no deadline timer: the transport bounds its I/O by
 * the remaining time, and each wait here is bounded by the deadline, after which the request is
 * cancelled as the timer would have cancelled it (the worker is told to abort). This saves the
 * hand-over to the transport's threads and back, and the timer's thread, on every request.
 *
 * <p>Stateless; each method works on the request it is given, on the caller's thread.
 */
final class CallerThreadCalls {

  private CallerThreadCalls() {}

  /**
   * Runs a unary request to its end on the caller's thread, retrying on other workers as the
   * asynchronous path does.
   *
   * @return the result
   * @throws RouterException how the request ended otherwise
   */
  static <Q extends InferenceRequest, R, C> R run(
      DefaultRouter router, OperationBinding<Q, R, C> op, Q request, RequestCall call) {
    while (true) {
      Attempt attempt = awaitAttempt(router, call);
      WorkerState worker = attempt.worker();
      R value;
      try {
        value = op.callBlocking(worker.transport(), worker.worker(), request, attempt.context());
        if (value == null) {
          throw DefaultRouter.noResult(worker);
        }
        WorkerException tooOld = router.answeredWeightVersion(attempt, op.weightVersion(value));
        if (tooOld != null) {
          throw tooOld;
        }
      } catch (RuntimeException e) {
        endIfInterruptedOrLate(call);
        RouterException mapped = failureOf(call, attempt, e);
        attempt.finish(RequestCall.outcomeOf(mapped), null, mapped);
        awaitBackoff(router, call, attempt, mapped);
        continue;
      } catch (Error e) {
        // No timer watches a blocking call: end it here, or its slot and permit stay taken.
        endWithError(call, attempt, null, e);
        throw e;
      }
      TokenUsage usage = op.usage(value);
      // The worker did its part: the attempt counts as a success, also when an interrupt came
      // with the answer. Finished first, so that the cancel below neither counts it as cancelled
      // nor sends the worker an abort for a request it already answered.
      attempt.finish(RequestOutcome.SUCCESS, usage, null);
      if (Thread.currentThread().isInterrupted()) {
        // An interrupt cancels the request also when it comes with the answer.
        call.cancel(RouterCallContext.Reason.CALLER);
      }
      if (call.finish(RequestOutcome.SUCCESS, usage, null)) {
        return value;
      }
      // The router closed (or the caller's thread was interrupted) as the answer came in.
      throw ended(call, new RequestCancelledException(call.view().requestId()));
    }
  }

  /**
   * Ends the attempt and the request after an Error from the transport (or a source), before the
   * Error propagates: until the deadline nothing else would give back the worker's slot and the
   * breaker's permit.
   */
  static void endWithError(
      RequestCall call, Attempt attempt, @Nullable TokenUsage usage, Error error) {
    RouterException mapped = failureOf(call, attempt, error);
    attempt.finish(RequestCall.outcomeOf(mapped), usage, mapped);
    call.fail(RequestCall.outcomeOf(mapped), mapped);
  }

  /**
   * After a failed transport call: an interrupted caller cancels the request, and a passed deadline
   * times it out, both before the attempt ends so that the worker is told to abort.
   */
  static void endIfInterruptedOrLate(RequestCall call) {
    if (call.isFinished()) {
      return;
    }
    if (Thread.currentThread().isInterrupted()) {
      call.cancel(RouterCallContext.Reason.CALLER);
    } else if (call.remainingNanos() <= 0) {
      call.cancel(RouterCallContext.Reason.TIMEOUT);
    }
  }

  /**
   * Waits for an attempt: a worker chosen and its slot taken, at once when one is available, or
   * after a wait in the admission queue. Ends the request when it cannot get one.
   *
   * @throws RouterException how the request ended
   */
  static Attempt awaitAttempt(DefaultRouter router, RequestCall call) {
    CompletableFuture<Attempt> future = router.acquire(call);
    if (future.isDone() && !future.isCompletedExceptionally()) {
      return future.join();
    }
    try {
      long remaining = call.remainingNanos();
      // A little past the deadline: the request's own deadline handling ends it with the right
      // exception first; this bound only keeps a lost wake-up from blocking forever.
      return future.get(Math.max(0, remaining) + 1_000_000, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(RouterCallContext.Reason.CALLER);
      throw ended(call, new RequestCancelledException(call.view().requestId()));
    } catch (ExecutionException e) {
      RouterException mapped = RequestCall.mapFailure(e, "router", "none");
      call.fail(RequestCall.outcomeOf(mapped), mapped);
      throw ended(call, mapped);
    } catch (TimeoutException e) {
      call.cancel(RouterCallContext.Reason.TIMEOUT);
      throw ended(call, new RequestCancelledException(call.view().requestId()));
    }
  }

  /**
   * After a failed attempt: waits out the retry backoff when the request is tried again, or ends
   * the request with the failure. An interrupt or the deadline ends the wait, and the request.
   *
   * @throws RouterException how the request ended, when it is not tried again
   */
  static void awaitBackoff(
      DefaultRouter router, RequestCall call, Attempt failed, RouterException error) {
    if (call.isFinished()) {
      throw ended(call, error);
    }
    long backoff = router.retryBackoff(call, failed, error);
    if (backoff < 0) {
      call.fail(RequestCall.outcomeOf(error), error);
      throw ended(call, error);
    }
    if (!sleep(call, backoff)) {
      throw ended(call, error);
    }
  }

  /**
   * Waits the given time on the caller's thread unless the request ends first; the deadline
   * passing or an interrupt ends it (timeout, cancel) and the wait.
   *
   * @return {@code true} when the whole time passed, {@code false} when the request ended
   */
  static boolean sleep(RequestCall call, long nanos) {
    long until = System.nanoTime() + nanos;
    while (!call.isFinished()) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      if (call.remainingNanos() <= 0) {
        call.cancel(RouterCallContext.Reason.TIMEOUT);
        break;
      }
      // Bounded slices: a cancel from another thread (the router closing) is seen soon.
      LockSupport.parkNanos(call, Math.min(Math.min(left, call.remainingNanos()), 10_000_000));
      if (Thread.currentThread().isInterrupted()) {
        call.cancel(RouterCallContext.Reason.CALLER);
      }
    }
    return false;
  }

  /** The failure an attempt ended with: the request's own end (deadline, cancel) wins. */
  static RouterException failureOf(RequestCall call, Attempt attempt, Throwable error) {
    RouterException ended = call.failure();
    if (call.isFinished() && ended != null) {
      return ended;
    }
    return RequestCall.mapFailure(
        error, attempt.worker().transport().name(), attempt.worker().id());
  }

  /** The exception the request ended with, or the given one if it has not ended. */
  static RouterException ended(RequestCall call, RouterException fallback) {
    RouterException recorded = call.failure();
    return recorded != null ? recorded : fallback;
  }
}
