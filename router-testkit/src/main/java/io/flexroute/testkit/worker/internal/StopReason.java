package io.flexroute.testkit.worker.internal;

/** Why a running request was told to stop early. */
enum StopReason {
  /** {@code /abort_request} matched its rid: finish with an abort finish reason. */
  ABORTED,
  /** A stall was released by the test: drop the connection. */
  RELEASED,
  /** The worker is closing: drop the connection. */
  CLOSED
}
