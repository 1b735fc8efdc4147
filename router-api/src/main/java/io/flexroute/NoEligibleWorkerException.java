package io.flexroute;

import org.jspecify.annotations.Nullable;

/**
 * No worker could take the request: none serves its model and role, or every such worker is
 * unhealthy or draining.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class NoEligibleWorkerException extends RouterException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String model;
  private final WorkerRole role;

  /**
   * Creates the exception.
   *
   * @param model the model the request needed, or null for any
   * @param role the role the request needed
   * @param detail why no worker was eligible
   */
  public NoEligibleWorkerException(@Nullable String model, WorkerRole role, String detail) {
    super("no eligible worker for model=" + (model == null ? "<any>" : model) + ", role=" + role
        + ": " + detail);
    this.model = model;
    this.role = role;
  }

  /** @return the model the request needed, or null for any */
  public @Nullable String model() {
    return model;
  }

  /** @return the role the request needed */
  public WorkerRole role() {
    return role;
  }
}
