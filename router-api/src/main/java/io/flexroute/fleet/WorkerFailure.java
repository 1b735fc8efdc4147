package io.flexroute.fleet;

import io.flexroute.RouterException;
import java.time.Duration;
import java.util.Objects;

/**
 * One worker's failed part of a broadcast: why, as a {@link Cause}, and the exception with the
 * details.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param workerId the worker
 * @param cause the kind of failure
 * @param error the failure
 * @param duration how long the worker's part took before it failed (zero when skipped)
 */
public record WorkerFailure(
    String workerId, Cause cause, RouterException error, Duration duration) {

  /** The kinds of failure, from the worker's refusal to the broadcast never reaching it. */
  public enum Cause {
    /**
     * The transport or the worker's API flavour cannot carry out the operation ({@link
     * ControlUnsupportedException}); nothing was sent, or the worker does not have the endpoint.
     */
    UNSUPPORTED,
    /**
     * The worker answered that it did not carry out the operation ({@link
     * ControlRejectedException}, or another non-retryable 4xx {@link
     * io.flexroute.WorkerException}).
     */
    REJECTED,
    /** The worker failed: 5xx, 429, or an answer that could not be read. */
    WORKER_ERROR,
    /** The worker could not be reached, or the connection broke. */
    UNREACHABLE,
    /** The worker's part took longer than {@link Broadcast#timeout()}. */
    TIMEOUT,
    /**
     * The broadcast was cancelled, or the router closed, before the worker's part ended; or the
     * worker left the fleet before its part started.
     */
    CANCELLED,
    /**
     * The worker accepted a weight update but reports another version ({@link
     * WeightVersionMismatchException}).
     */
    VERSION_MISMATCH,
    /** Not attempted: an earlier failure stopped a broadcast that halts on failure. */
    SKIPPED
  }

  /**
   * Validates the fields.
   * @param workerId the worker
   * @param cause the kind of failure
   * @param error the failure
   * @param duration how long the worker's part took before it failed (zero when skipped)
   */
  public WorkerFailure {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(duration, "duration");
  }

  @Override
  public String toString() {
    return "WorkerFailure{" + workerId + ", " + cause + ": " + error.getMessage() + "}";
  }
}
