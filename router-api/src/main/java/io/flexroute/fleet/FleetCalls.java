package io.flexroute.fleet;

import io.flexroute.RequestCancelledException;
import io.flexroute.RouterException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Waits for asynchronous broadcasts on behalf of the blocking {@link Fleet} methods. */
final class FleetCalls {

  private FleetCalls() {}

  /**
   * Waits for a broadcast and unwraps its failure. An interrupted caller cancels the broadcast.
   *
   * @throws RouterException the failure that kept the broadcast from running
   * @throws IllegalArgumentException if the broadcast's arguments were invalid
   */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("broadcast");
    } catch (CancellationException e) {
      throw new RequestCancelledException("broadcast");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RouterException re) {
        throw re;
      }
      if (cause instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new RouterException("broadcast failed", cause);
    }
  }
}
