package io.flexroute;

/**
 * How a routed request ended. Used in metrics tags, listener events and strategy feedback.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum RequestOutcome {
  /** The worker answered and the whole result (or stream) reached the caller. */
  SUCCESS("success"),
  /** The worker answered with an error, an unreadable body, or failed to connect. */
  WORKER_ERROR("worker_error"),
  /** The request's deadline expired before it finished. */
  TIMEOUT("timeout"),
  /** The caller cancelled the request or closed the stream before its end. */
  CANCELLED("cancelled"),
  /**
   * No eligible worker could take the request, or the router refused it, or refused a worker's
   * answer made with weights older than the request's minimum weight version ({@link
   * WorkerException.Kind#WEIGHT_VERSION}).
   */
  REJECTED("rejected");

  private final String tagValue;

  RequestOutcome(String tagValue) {
    this.tagValue = tagValue;
  }

  /**
   * A short lowercase name, stable across releases, used in metric tags and logs.
   *
   * @return the name, such as {@code "worker_error"}
   */
  public String tagValue() {
    return tagValue;
  }
}
