package io.flexroute.transport.grpc.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.grpc.Status;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Turns the gRPC status a call ended with into the router's exceptions, with the same types and
 * retryability as the HTTP transport.
 *
 * <p>A server-reported status becomes a {@link WorkerException} of kind {@code HTTP_STATUS} whose
 * {@link WorkerException#statusCode()} is the HTTP equivalent of the gRPC code (the mapping of
 * {@code google.rpc.Code} to HTTP), so that {@link WorkerException#isRetryable()} means the same
 * for both transports: UNAVAILABLE 503, DEADLINE_EXCEEDED 504, RESOURCE_EXHAUSTED 429, INTERNAL,
 * UNKNOWN and DATA_LOSS 500, UNIMPLEMENTED 501 are retryable; INVALID_ARGUMENT, FAILED_PRECONDITION
 * and OUT_OF_RANGE 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ABORTED and
 * ALREADY_EXISTS 409, CANCELLED 499 are not. A connection that could not be made or broke (an
 * UNAVAILABLE status caused by an I/O exception) is {@code CONNECTION}; an answer above the
 * channel's inbound message limit (RESOURCE_EXHAUSTED raised by grpc-java itself) is {@code
 * MALFORMED_RESPONSE}, as an oversized event is on HTTP, so that it never parks the worker. A status reported after the
 * stream had started (response headers received) is a {@code STREAM_ERROR}, as an error event inside
 * an HTTP stream is, unless the connection broke.
 *
 * <p>Messages name the worker and carry the status description; never metadata, keys or prompts.
 * Instances are stateless and thread-safe.
 */
public final class Failures {

  /** The longest status description put into a message, in characters. */
  static final int MAX_MESSAGE_CHARS = 1024;

  private Failures() {}

  /**
   * The HTTP status equivalent to a gRPC code.
   *
   * @param code the gRPC code, not {@code OK}
   * @return the HTTP status
   */
  public static int httpEquivalent(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 499;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case UNAUTHENTICATED -> 401;
      case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
    };
  }

  /**
   * The exception for a call that ended with a non-OK status.
   *
   * @param status the status
   * @param worker the worker
   * @param requestId the call's request id
   * @param timeout the deadline set on the call, as a duration from its start
   * @param deadlinePassed whether the call's own deadline has passed
   * @param cancelledByUs whether the context was cancelled or the consumer closed the stream
   * @param streamStarted whether response headers or messages had arrived
   * @return the exception
   */
  public static RouterException fromStatus(
      Status status,
      Worker worker,
      String requestId,
      Duration timeout,
      boolean deadlinePassed,
      boolean cancelledByUs,
      boolean streamStarted) {
    Status.Code code = status.getCode();
    if (code == Status.Code.DEADLINE_EXCEEDED && deadlinePassed) {
      return new RequestTimeoutException(requestId, timeout);
    }
    if (cancelledByUs) {
      return new RequestCancelledException(requestId);
    }
    String message = "gRPC " + code + ": " + describe(status);
    if (isOversizedAnswer(status)) {
      // The client refused a message above its own inbound limit: the answer is too large for this
      // transport's settings, not a worker asking to slow down, so it must not park the worker as
      // a 429 would. An oversized SSE event is a malformed answer on HTTP too.
      return new WorkerException(
          worker.id(), WorkerException.Kind.MALFORMED_RESPONSE, 0, message,
          status.getDescription(), status.getCause());
    }
    if (isConnectionFailure(status)) {
      return new WorkerException(
          worker.id(), WorkerException.Kind.CONNECTION, 0, message, null, status.getCause());
    }
    if (isUnreadableMessage(status)) {
      // grpc-java cancels a call itself when it cannot parse a message (invalid UTF-8 in a string
      // field, a truncated message): the worker's answer broke the protocol.
      return new WorkerException(
          worker.id(), WorkerException.Kind.MALFORMED_RESPONSE, 0, message,
          status.getDescription(), status.getCause());
    }
    int http = httpEquivalent(code);
    if (streamStarted) {
      return new WorkerException(
          worker.id(), WorkerException.Kind.STREAM_ERROR, http, message, status.getDescription(),
          status.getCause());
    }
    return new WorkerException(
        worker.id(), WorkerException.Kind.HTTP_STATUS, http, message, status.getDescription(),
        status.getCause());
  }

  /** Whether grpc-java cancelled the call because it could not parse a message of the answer. */
  static boolean isUnreadableMessage(Status status) {
    String description = status.getDescription();
    return status.getCode() == Status.Code.CANCELLED
        && status.getCause() != null
        && description != null
        && description.startsWith("Failed to read message");
  }

  /**
   * The exception for an answer that does not follow the protocol.
   *
   * @param worker the worker
   * @param message what was wrong
   * @param cause the underlying exception, if any
   * @return the exception
   */
  public static WorkerException malformed(
      Worker worker, String message, @Nullable Throwable cause) {
    return new WorkerException(
        worker.id(), WorkerException.Kind.MALFORMED_RESPONSE, 0, message, null, cause);
  }

  /**
   * Whether grpc-java itself refused an inbound message above the channel's maximum size (its
   * RESOURCE_EXHAUSTED carries "exceeds maximum size"; a worker's own RESOURCE_EXHAUSTED, such as
   * a rate limit, does not).
   */
  static boolean isOversizedAnswer(Status status) {
    String description = status.getDescription();
    return status.getCode() == Status.Code.RESOURCE_EXHAUSTED
        && description != null
        && description.contains("exceeds maximum size");
  }

  /**
   * Whether the status means the connection could not be made or broke: UNAVAILABLE caused by an
   * exception (connect refused, reset, TLS failure) rather than reported by the server.
   */
  static boolean isConnectionFailure(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null;
  }

  private static String describe(Status status) {
    String description = status.getDescription();
    if (description == null || description.isBlank()) {
      Throwable cause = status.getCause();
      if (cause != null) {
        description =
            cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      } else {
        description = "no description";
      }
    }
    return description.length() > MAX_MESSAGE_CHARS
        ? description.substring(0, MAX_MESSAGE_CHARS) + "..."
        : description;
  }
}
