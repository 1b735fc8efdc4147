package io.flexroute;

/**
 * The part a worker plays in serving a request. A request is only routed to workers whose role
 * equals the role it asks for ({@link WorkerRole#REGULAR} unless it says otherwise).
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum WorkerRole {
  /** A worker that serves whole requests, prefill and decode. */
  REGULAR,
  /** The prefill half of a prefill/decode disaggregated pair. */
  PREFILL,
  /** The decode half of a prefill/decode disaggregated pair. */
  DECODE
}
