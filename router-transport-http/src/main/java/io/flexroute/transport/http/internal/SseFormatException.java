package io.flexroute.transport.http.internal;

import java.io.IOException;

/**
 * An event stream broke the SSE rules badly enough that reading must stop (an event larger than the
 * transport accepts). Mapped to a {@code MALFORMED_RESPONSE} worker exception.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SseFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong
   */
  public SseFormatException(String message) {
    super(message);
  }
}
