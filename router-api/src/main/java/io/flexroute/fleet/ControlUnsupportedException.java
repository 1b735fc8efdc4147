package io.flexroute.fleet;

import io.flexroute.RouterException;
import java.util.Objects;

/**
 * The worker cannot carry out a control operation: its transport has no way to express it (gRPC has
 * no weight-update call), its API flavour lacks it (vLLM, OpenAI-compatible servers), or the worker
 * answered that the endpoint does not exist (HTTP 404). Nothing was changed on the worker.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class ControlUnsupportedException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** The control operation concerned. */
  private final ControlOperation operation;
  /** The worker concerned. */
  private final String workerId;

  /**
   * Creates the exception.
   *
   * @param operation the operation
   * @param workerId the worker
   * @param detail why it cannot, and what to do instead
   */
  public ControlUnsupportedException(ControlOperation operation, String workerId, String detail) {
    super(Objects.requireNonNull(operation, "operation").describe() + " is not supported for"
        + " worker '" + workerId + "': " + detail);
    this.operation = operation;
    this.workerId = Objects.requireNonNull(workerId, "workerId");
  }

  /** @return the operation */
  public ControlOperation operation() {
    return operation;
  }

  /** @return the worker */
  public String workerId() {
    return workerId;
  }
}
