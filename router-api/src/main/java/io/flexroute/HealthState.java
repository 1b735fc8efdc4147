package io.flexroute;

/**
 * What the router currently believes about a worker's ability to take new requests.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum HealthState {
  /** The worker takes new requests. Workers start in this state. */
  HEALTHY,
  /** The worker failed its checks; it gets no new requests until it recovers. */
  UNHEALTHY,
  /** The worker gets no new requests, while the requests it is running finish normally. */
  DRAINING,
  /**
   * The worker was removed from the router; views kept by running requests or listeners show this
   * state.
   */
  REMOVED;

  /**
   * Whether a worker in this state may be chosen for a new request.
   *
   * @return {@code true} only for {@link #HEALTHY}
   */
  public boolean acceptsRequests() {
    return this == HEALTHY;
  }
}
