package io.flexroute;

/**
 * The request was refused, or stopped, because the router was closed.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RouterClosedException extends RequestRejectedException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public RouterClosedException() {
    super(Reason.CLOSED, "the router is closed");
  }
}
