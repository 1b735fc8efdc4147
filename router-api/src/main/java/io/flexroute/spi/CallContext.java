package io.flexroute.spi;

import java.time.Duration;
import java.util.Map;

/**
 * What a transport needs to know about one call besides the request: its id, its deadline, extra
 * headers, and a way to learn that it was cancelled.
 *
 * <p>Implementations are thread-safe.
 */
public interface CallContext {

  /**
   * The request id to send to the worker (SGLang {@code rid}, header {@code X-Request-Id}).
   *
   * @return the id
   */
  String requestId();

  /**
   * The time left until the request's deadline; zero or negative once it passed. Transports use it
   * as the call timeout.
   *
   * @return the remaining time
   */
  Duration remaining();

  /**
   * The request's whole timeout, as configured (on the request or the router's default); {@link
   * io.flexroute.RequestTimeoutException} reports it.
   *
   * @return the timeout
   */
  Duration timeout();

  /**
   * Headers for this call: the worker's configured headers followed by the request's own.
   *
   * @return an immutable map
   */
  Map<String, String> headers();

  /**
   * Whether the call was cancelled (by the caller or by the deadline).
   *
   * @return {@code true} once cancelled
   */
  boolean isCancelled();

  /**
   * Registers an action that aborts the call; it runs at most once, at once if the call is already
   * cancelled. Transports register the cancellation of their I/O here.
   *
   * @param action the action; must not block and must not throw
   */
  void onCancel(Runnable action);
}
