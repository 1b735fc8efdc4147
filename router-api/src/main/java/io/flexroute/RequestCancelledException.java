package io.flexroute;

/**
 * The caller cancelled the request (a cancelled future, a closed stream, an interrupted thread, or a
 * cancelled subscription) before it finished.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RequestCancelledException extends RouterException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param requestId the request that was cancelled
   */
  public RequestCancelledException(String requestId) {
    super("request " + requestId + " was cancelled");
  }
}
