package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The worker failed the request: it answered with an error status, sent a body that could not be
 * read, broke the connection, or reported an error inside a stream.
 *
 * <p>The worker's error message is kept (truncated to {@value #MAX_BODY_CHARS} characters); the
 * request's prompt never is. Instances are immutable and thread-safe.
 */
public class WorkerException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** The longest error body kept, in characters. */
  public static final int MAX_BODY_CHARS = 2048;

  /** What kind of failure this is. */
  public enum Kind {
    /** The worker answered with a non-2xx status; see {@link #statusCode()}. */
    HTTP_STATUS,
    /** The connection could not be made, or broke before the answer was complete. */
    CONNECTION,
    /** The worker's answer could not be parsed (not JSON, missing fields, truncated stream). */
    MALFORMED_RESPONSE,
    /** The worker reported an error inside a stream that had started successfully. */
    STREAM_ERROR,
    /**
     * The worker answered with weights older than the request's minimum weight version ({@link
     * InferenceRequest#minWeightVersion()}): it went back to earlier weights (a restart on its
     * launch weights, a rollback the router was not told of) after the router last learnt its
     * version. The answer is not delivered; the router records the older version, so that the
     * worker gets no more requests that need newer weights, and tries another worker. Retryable,
     * but not a fault against the worker's health or circuit breaker.
     */
    WEIGHT_VERSION
  }

  /** The worker concerned. */
  private final String workerId;
  /** What kind of failure this is. */
  private final Kind kind;
  /** The status code the worker answered, or 0. */
  private final int statusCode;
  /** The raw error body, truncated, if any. */
  private final @Nullable String errorBody;
  /** How long the worker asked to wait, if it said. */
  private final java.time.@Nullable Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param workerId the worker that failed
   * @param kind the kind of failure
   * @param statusCode the HTTP status, or 0 when there was none
   * @param message the worker's error message or a description of the failure
   * @param errorBody the raw error body, if any (truncated)
   * @param cause the underlying exception, if any
   */
  public WorkerException(
      String workerId,
      Kind kind,
      int statusCode,
      String message,
      @Nullable String errorBody,
      @Nullable Throwable cause) {
    this(workerId, kind, statusCode, message, errorBody, null, cause);
  }

  /**
   * Creates the exception with the time the worker asked the client to wait before trying again.
   *
   * @param workerId the worker that failed
   * @param kind the kind of failure
   * @param statusCode the HTTP status, or 0 when there was none
   * @param message the worker's error message or a description of the failure
   * @param errorBody the raw error body, if any (truncated)
   * @param retryAfter the worker's {@code Retry-After}, if it sent one
   * @param cause the underlying exception, if any
   */
  public WorkerException(
      String workerId,
      Kind kind,
      int statusCode,
      String message,
      @Nullable String errorBody,
      java.time.@Nullable Duration retryAfter,
      @Nullable Throwable cause) {
    super(
        "worker '" + Objects.requireNonNull(workerId, "workerId") + "' failed ("
            + describe(Objects.requireNonNull(kind, "kind"), statusCode) + "): " + message,
        cause);
    this.workerId = workerId;
    this.kind = kind;
    this.statusCode = statusCode;
    this.errorBody = truncate(errorBody);
    this.retryAfter = retryAfter;
  }

  private static String describe(Kind kind, int statusCode) {
    return kind == Kind.HTTP_STATUS ? "HTTP " + statusCode : kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static @Nullable String truncate(@Nullable String body) {
    if (body == null || body.length() <= MAX_BODY_CHARS) {
      return body;
    }
    return body.substring(0, MAX_BODY_CHARS) + "...";
  }

  /** @return the id of the worker that failed */
  public String workerId() {
    return workerId;
  }

  /** @return the kind of failure */
  public Kind kind() {
    return kind;
  }

  /** @return the HTTP status, or 0 when there was none */
  public int statusCode() {
    return statusCode;
  }

  /**
   * How long the worker asked clients to wait before sending it more requests ({@code Retry-After}
   * on a 429 or 503).
   *
   * @return the wait, or null when the worker gave none
   */
  public java.time.@Nullable Duration retryAfter() {
    return retryAfter;
  }

  /** @return the raw error body (truncated), or null */
  public @Nullable String errorBody() {
    return errorBody;
  }

  /**
   * Whether the failure lies with the worker rather than the request, so that trying another worker
   * may succeed: connection failures, 408, 429, 5xx, broken or unreadable answers, and answers with
   * weights older than the request needs. A 4xx caused
   * by the request itself (such as a context-length error) is not retryable.
   *
   * @return {@code true} if another attempt may succeed
   */
  public boolean isRetryable() {
    return switch (kind) {
      case CONNECTION, MALFORMED_RESPONSE, WEIGHT_VERSION -> true;
      case STREAM_ERROR -> statusCode == 408 || statusCode == 429 || statusCode >= 500;
      case HTTP_STATUS -> statusCode == 408 || statusCode == 429 || statusCode >= 500;
    };
  }

  /**
   * Whether the failure counts against the worker's health and circuit breaker: the same failures as
   * {@link #isRetryable()}, except {@link Kind#WEIGHT_VERSION} (the worker works; its weights are
   * only too old for this request). A 4xx caused by the request never does.
   *
   * @return {@code true} for a worker fault
   */
  public boolean isWorkerFault() {
    return kind != Kind.WEIGHT_VERSION && isRetryable();
  }
}
