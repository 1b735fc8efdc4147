package io.flexroute.spi;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for an asynchronous transport call on behalf of the blocking defaults of {@link Transport}. */
final class BlockingWait {

  private BlockingWait() {}

  /**
   * Waits for the future until the call's deadline.
   *
   * @throws RequestTimeoutException when the deadline passes first (the future is cancelled)
   * @throws RequestCancelledException when the thread is interrupted (the future is cancelled and
   *     the interrupt flag stays set) or the future was cancelled
   * @throws RouterException what the future failed with, wrapped when it is not one
   */
  static <R> R await(CompletableFuture<R> future, CallContext context) {
    long remaining = context.remaining().toNanos();
    try {
      if (remaining <= 0 && !future.isDone()) {
        throw new TimeoutException();
      }
      return future.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RequestCancelledException(context.requestId());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RequestTimeoutException(context.requestId(), context.timeout());
    } catch (CancellationException e) {
      throw new RequestCancelledException(context.requestId());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RouterException re) {
        throw re;
      }
      throw new RouterException("the transport call failed", cause);
    }
  }
}
