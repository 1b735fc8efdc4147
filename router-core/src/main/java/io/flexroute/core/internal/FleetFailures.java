package io.flexroute.core.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestRejectedException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.WorkerException;
import io.flexroute.fleet.ControlRejectedException;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.WeightVersionMismatchException;
import io.flexroute.fleet.WorkerFailure;

/** Sorts the failure of one worker's part of a broadcast into a {@link WorkerFailure.Cause}. */
final class FleetFailures {

  private FleetFailures() {}

  static WorkerFailure.Cause causeOf(RouterException error) {
    if (error instanceof ControlUnsupportedException) {
      return WorkerFailure.Cause.UNSUPPORTED;
    }
    if (error instanceof ControlRejectedException) {
      return WorkerFailure.Cause.REJECTED;
    }
    if (error instanceof WeightVersionMismatchException) {
      return WorkerFailure.Cause.VERSION_MISMATCH;
    }
    if (error instanceof RequestTimeoutException) {
      return WorkerFailure.Cause.TIMEOUT;
    }
    if (error instanceof RequestCancelledException
        || error instanceof RouterClosedException
        || error instanceof WorkerLeftException) {
      return WorkerFailure.Cause.CANCELLED;
    }
    if (error instanceof RequestRejectedException rejected) {
      return rejected.reason() == RequestRejectedException.Reason.UNSUPPORTED
          ? WorkerFailure.Cause.UNSUPPORTED
          : WorkerFailure.Cause.REJECTED;
    }
    if (error instanceof WorkerException we) {
      if (we.kind() == WorkerException.Kind.CONNECTION) {
        return WorkerFailure.Cause.UNREACHABLE;
      }
      return we.isRetryable() ? WorkerFailure.Cause.WORKER_ERROR : WorkerFailure.Cause.REJECTED;
    }
    return WorkerFailure.Cause.WORKER_ERROR;
  }

  /** A worker left the fleet after a broadcast selected it and before its part started. */
  static final class WorkerLeftException extends RouterException {
    private static final long serialVersionUID = 1L;

    WorkerLeftException(String workerId) {
      super("worker '" + workerId + "' left the fleet before its part of the broadcast started");
    }
  }
}
