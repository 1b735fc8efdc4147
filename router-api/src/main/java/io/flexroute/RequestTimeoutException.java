package io.flexroute;

import java.time.Duration;

/**
 * The request's deadline expired before it finished; the router cancelled the call to the worker
 * and released everything the request held.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RequestTimeoutException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** The deadline that expired. */
  private final Duration timeout;

  /**
   * Creates the exception.
   *
   * @param requestId the request that timed out
   * @param timeout the timeout that expired
   */
  public RequestTimeoutException(String requestId, Duration timeout) {
    super("request " + requestId + " timed out after " + timeout);
    this.timeout = timeout;
  }

  /** @return the timeout that expired */
  public Duration timeout() {
    return timeout;
  }
}
