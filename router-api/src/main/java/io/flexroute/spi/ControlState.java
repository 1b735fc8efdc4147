package io.flexroute.spi;

/**
 * Whether the fleet control plane ({@link io.flexroute.fleet.Fleet}) has taken a worker out of
 * rotation. A worker that is not {@link #SERVING} gets no new requests, whatever its health; the
 * requests already running on it go on.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum ControlState {
  /** The worker takes new requests (as far as its health allows). Workers start in this state. */
  SERVING,
  /** Generation is paused on the worker ({@code /pause_generation}) until it is continued. */
  PAUSED,
  /**
   * The worker is updating its weights or joining a weight-update group; it takes requests again
   * once the update ended and the worker reported its new weight version.
   */
  UPDATING
}
