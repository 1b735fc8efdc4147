package io.flexroute.core.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The in-flight slot one request holds on a worker. {@link #release()} gives it back exactly once,
 * however many of the request's end paths (result, error, timeout, cancellation, stream end, close)
 * race to call it.
 */
final class InFlightGuard {

  private final WorkerState worker;
  private final int tokens;
  private final AtomicBoolean released = new AtomicBoolean();

  InFlightGuard(WorkerState worker, int tokens) {
    this.worker = worker;
    this.tokens = tokens;
  }

  /**
   * Releases the slot if it is still held.
   *
   * @return {@code true} for the one call that released it
   */
  boolean release() {
    if (released.compareAndSet(false, true)) {
      worker.release(tokens);
      return true;
    }
    return false;
  }

  /**
   * Gives the slot back for a request that was never sent on it: unlike {@link #release()}, the
   * worker does not count a completed request.
   */
  void abandon() {
    if (released.compareAndSet(false, true)) {
      worker.unacquire(tokens);
    }
  }

  boolean isReleased() {
    return released.get();
  }
}
