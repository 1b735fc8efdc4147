package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * No worker could take the request: none serves its model and role, every such worker is
 * unhealthy, draining, paused or updating its weights, none has the weight version the request
 * requires, or the strategy declined. {@link #reason()} says which.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class NoEligibleWorkerException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** Why no worker was eligible. */
  public enum Reason {
    /** No worker serves the request's model in its role. */
    NO_MATCHING_WORKER,
    /** Every matching worker is unhealthy, draining, has its circuit breaker open or is parked. */
    UNAVAILABLE,
    /**
     * Every matching worker that is otherwise available is paused or updating its weights (see
     * {@link io.flexroute.spi.WorkerView#controlState()}).
     */
    UPDATING_OR_PAUSED,
    /**
     * Workers are available, but none has the weight version the request requires ({@link
     * InferenceRequest#minWeightVersion()}).
     */
    WEIGHT_VERSION,
    /** Every candidate already failed this request. */
    ALL_FAILED,
    /** The routing strategy declined the request. */
    STRATEGY_DECLINED,
    /** Not specified by whoever threw the exception. */
    UNSPECIFIED
  }

  /** The model the request asked for, if any. */
  private final @Nullable String model;
  /** The role the request asked for. */
  private final WorkerRole role;
  /** Why the request could not be served. */
  private final Reason reason;

  /**
   * Creates the exception without a specific reason ({@link Reason#UNSPECIFIED}).
   *
   * @param model the model the request needed, or null for any
   * @param role the role the request needed
   * @param detail why no worker was eligible
   */
  public NoEligibleWorkerException(@Nullable String model, WorkerRole role, String detail) {
    this(model, role, Reason.UNSPECIFIED, detail);
  }

  /**
   * Creates the exception.
   *
   * @param model the model the request needed, or null for any
   * @param role the role the request needed
   * @param reason why no worker was eligible
   * @param detail a description of the workers' states
   */
  public NoEligibleWorkerException(
      @Nullable String model, WorkerRole role, Reason reason, String detail) {
    super("no eligible worker for model=" + (model == null ? "<any>" : model) + ", role=" + role
        + ": " + detail);
    this.model = model;
    this.role = role;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** @return the model the request needed, or null for any */
  public @Nullable String model() {
    return model;
  }

  /** @return the role the request needed */
  public WorkerRole role() {
    return role;
  }

  /** @return why no worker was eligible */
  public Reason reason() {
    return reason;
  }
}
