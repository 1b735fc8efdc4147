package io.flexroute.core.internal;

import io.flexroute.RouterException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Starts the transport calls the router makes on its own (health probes, load polls, and through
 * {@link #guarded} the fleet's control calls), so that a transport breaking its contract cannot
 * stop them for good: a call that throws or returns null fails at once, and a probe or poll whose
 * future never completes fails a second after its deadline and has its context cancelled. The
 * router sends the next probe or poll of a worker only after the previous one ended, so without the
 * bound one hung future would end that worker's checks forever.
 */
final class BackgroundCalls {

  /** How long after its deadline a call that never completes is given up. */
  static final Duration GRACE = Duration.ofSeconds(1);

  private BackgroundCalls() {}

  /**
   * Starts a call.
   *
   * @param call starts the transport call
   * @param context the call's context, cancelled if the call outlives its deadline and the grace
   * @param timeout the call's timeout, as in its context
   * @return a future of the call's outcome that always completes
   */
  static <T> CompletableFuture<T> start(
      Supplier<CompletableFuture<T>> call, RouterCallContext context, Duration timeout) {
    CompletableFuture<T> started = guarded(call);
    if (started.isDone()) {
      return started;
    }
    // A copy, so that giving up does not complete the transport's own future.
    return started
        .copy()
        .orTimeout(timeout.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (value, error) -> {
              if (unwrap(error) instanceof TimeoutException) {
                context.cancel(RouterCallContext.Reason.TIMEOUT);
              }
            });
  }

  /**
   * Starts a transport call, turning a throw or a null future (which the contract forbids) into a
   * failed future.
   *
   * @param call starts the call
   * @return the call's future, never null
   */
  static <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> call) {
    try {
      CompletableFuture<T> started = call.get();
      return started != null
          ? started
          : CompletableFuture.failedFuture(
              new RouterException("the transport returned no future (null)"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
