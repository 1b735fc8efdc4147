package io.flexroute.fleet;

import io.flexroute.RouterException;
import java.util.Objects;

/**
 * A broadcast in which at least one worker failed, thrown by {@link FleetResult#orThrow()}. The
 * first failure is the cause; {@link #result()} has every worker's outcome.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class FleetOperationException extends RouterException {
  private static final long serialVersionUID = 1L;

  private final transient FleetResult<?> result;

  /**
   * Creates the exception.
   *
   * @param result the result with at least one failure
   * @throws IllegalArgumentException if the result has no failure
   */
  public FleetOperationException(FleetResult<?> result) {
    super(
        Objects.requireNonNull(result, "result").operation().describe() + " failed on "
            + result.failures().size() + " of " + result.workerIds().size() + " workers: "
            + result.failures(),
        result.failures().isEmpty() ? null : result.failures().get(0).error());
    if (result.failures().isEmpty()) {
      throw new IllegalArgumentException("result has no failure");
    }
    this.result = result;
  }

  /** @return every worker's outcome */
  public FleetResult<?> result() {
    return result;
  }
}
