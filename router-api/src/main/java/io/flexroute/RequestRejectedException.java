package io.flexroute;

/**
 * The router refused the request before sending it to any worker; {@link #reason()} says why.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RequestRejectedException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused. */
  public enum Reason {
    /** The router is closed. */
    CLOSED,
    /** A waiting queue was full. */
    QUEUE_FULL,
    /** The request waited for a worker or a permit for longer than it may. */
    WAIT_TIMEOUT,
    /** A concurrency limit was reached and no waiting was allowed. */
    LIMIT_REACHED,
    /** The request asked for something this router cannot do, such as n greater than 1. */
    UNSUPPORTED
  }

  /** Why the request could not be served. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the request was refused
   * @param message a description naming the cause
   */
  public RequestRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** @return why the request was refused */
  public Reason reason() {
    return reason;
  }
}
