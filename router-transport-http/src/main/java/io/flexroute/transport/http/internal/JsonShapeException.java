package io.flexroute.transport.http.internal;

/**
 * A worker's answer was not the JSON the transport expected: not JSON at all, or a field of the
 * wrong type. Callers turn it into a {@link io.flexroute.WorkerException} of kind {@code
 * MALFORMED_RESPONSE}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class JsonShapeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the JSON path
   */
  public JsonShapeException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong
   * @param cause the parser's exception
   */
  public JsonShapeException(String message, Throwable cause) {
    super(message, cause);
  }
}
