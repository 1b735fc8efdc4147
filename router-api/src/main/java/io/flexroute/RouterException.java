package io.flexroute;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception FlexRoute throws for a request or an operation that could not be
 * carried out. All FlexRoute exceptions are unchecked.
 *
 * <p>Blocking calls throw these exceptions unwrapped; asynchronous calls complete their future
 * exceptionally with the same types. Misuse of a builder is reported with
 * {@link IllegalArgumentException} or {@link IllegalStateException} instead.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class RouterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public RouterException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure, if any
   */
  public RouterException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
