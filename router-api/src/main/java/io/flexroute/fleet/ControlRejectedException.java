package io.flexroute.fleet;

import io.flexroute.RouterException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The worker answered a control operation and reported that it did not carry it out: SGLang's
 * {@code "success": false}, a 4xx answer (other than 404, 408 and 429), or a cache flush refused
 * because requests were running. For a weight update SGLang keeps (or restores) the weights it had.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class ControlRejectedException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** The control operation concerned. */
  private final ControlOperation operation;
  /** The worker concerned. */
  private final String workerId;
  /** The status code the worker answered, or 0. */
  private final int statusCode;
  /** The worker's own message, if any. */
  private final @Nullable String workerMessage;

  /**
   * Creates the exception.
   *
   * @param operation the operation
   * @param workerId the worker
   * @param statusCode the HTTP status of the answer (200 for a {@code success: false} body), or 0
   *     when there was none (gRPC)
   * @param workerMessage the worker's own message, if it gave one
   */
  public ControlRejectedException(
      ControlOperation operation, String workerId, int statusCode, @Nullable String workerMessage) {
    super("worker '" + workerId + "' refused to " + operation.describe()
        + (statusCode > 0 ? " (HTTP " + statusCode + ")" : "") + ": "
        + (workerMessage == null || workerMessage.isBlank() ? "no message" : workerMessage));
    this.operation = Objects.requireNonNull(operation, "operation");
    this.workerId = Objects.requireNonNull(workerId, "workerId");
    this.statusCode = statusCode;
    this.workerMessage = workerMessage;
  }

  /** @return the operation */
  public ControlOperation operation() {
    return operation;
  }

  /** @return the worker */
  public String workerId() {
    return workerId;
  }

  /** @return the HTTP status of the answer, 200 for {@code success: false}, 0 for none */
  public int statusCode() {
    return statusCode;
  }

  /** @return the worker's message, or null */
  public @Nullable String workerMessage() {
    return workerMessage;
  }
}
