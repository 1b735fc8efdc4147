package io.flexroute.radix;

import io.flexroute.RouterException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when the workers aborted every generation attempt of a rollout turn (SGLang aborts running
 * requests during a weight update, with finish reason {@code abort}), so {@link RolloutClient} gave
 * up after its configured number of attempts. The cache is unchanged by the turn.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class RolloutAbortedException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** How many attempts were made. */
  private final int attempts;
  /** The worker that aborted the last attempt. */
  private final String workerId;
  /** The worker's abort message, if any. */
  private final @Nullable String abortMessage;

  /**
   * Creates the exception.
   *
   * @param attempts how many attempts were made
   * @param workerId the worker that aborted the last attempt
   * @param abortMessage the worker's message for the last abort, if any
   */
  public RolloutAbortedException(int attempts, String workerId, @Nullable String abortMessage) {
    super(
        "generation was aborted on all " + attempts + " attempts (last by worker '" + workerId
            + "'" + (abortMessage == null ? "" : ": " + abortMessage) + ")");
    this.attempts = attempts;
    this.workerId = workerId;
    this.abortMessage = abortMessage;
  }

  /**
   * Returns how many attempts were made, all aborted.
   *
   * @return the attempts
   */
  public int attempts() {
    return attempts;
  }

  /**
   * Returns the worker that aborted the last attempt.
   *
   * @return the worker id
   */
  public String workerId() {
    return workerId;
  }

  /**
   * Returns the worker's message for the last abort.
   *
   * @return the message, or null
   */
  public @Nullable String abortMessage() {
    return abortMessage;
  }
}
