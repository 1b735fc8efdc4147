package io.flexroute.spi;

/**
 * The state of a worker's circuit breaker.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum BreakerState {
  /** Requests flow; faults are counted. */
  CLOSED,
  /** The worker gets no requests until the open period ends. */
  OPEN,
  /** A bounded number of probe requests test whether the worker recovered. */
  HALF_OPEN
}
