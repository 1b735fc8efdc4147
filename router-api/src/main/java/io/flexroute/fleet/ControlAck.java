package io.flexroute.fleet;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A worker's acknowledgement of a control operation.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param message the worker's message, empty if it gave none
 * @param pausedRequests the requests the worker reported as paused by a weight update ({@code
 *     num_paused_requests}), 0 when not reported
 * @param weightVersion the worker's weight version after the operation, when known: stated in the
 *     answer, or for weight updates read back from the worker; null otherwise
 */
public record ControlAck(String message, int pausedRequests, @Nullable String weightVersion) {

  /**
   * Validates the fields.
   *
   * @param message the worker's message, empty if it gave none
   * @param pausedRequests the requests the worker reported as paused by a weight update ({@code
   *     num_paused_requests}), 0 when not reported
   * @param weightVersion the worker's weight version after the operation, when known: stated in the
   *     answer, or for weight updates read back from the worker; null otherwise
   * @throws IllegalArgumentException if {@code pausedRequests} is negative
   */
  public ControlAck {
    Objects.requireNonNull(message, "message");
    if (pausedRequests < 0) {
      throw new IllegalArgumentException("pausedRequests must be >= 0, but was " + pausedRequests);
    }
  }

  /**
   * An acknowledgement with a message only.
   *
   * @param message the worker's message
   * @return the acknowledgement
   */
  public static ControlAck of(String message) {
    return new ControlAck(message, 0, null);
  }

  /**
   * This acknowledgement with the worker's weight version.
   *
   * @param version the version
   * @return a new acknowledgement
   */
  public ControlAck withWeightVersion(@Nullable String version) {
    return new ControlAck(message, pausedRequests, version);
  }
}
