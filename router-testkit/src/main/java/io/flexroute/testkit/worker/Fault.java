package io.flexroute.testkit.worker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A programmable misbehaviour of the fake worker, applied to one request that it matches.
 *
 * <p>Queue faults with {@link FakeWorker#enqueue(Fault)}; each queued fault is used once, by the
 * first later request it {@linkplain #matches(RecordedRequest) matches}, and faults are tried in
 * the order they were queued. For a persistent failure rate use a {@link FaultPolicy}.
 *
 * <h2>Which requests a fault matches</h2>
 *
 * <ul>
 *   <li>Without a path, a fault matches generation requests only ({@code POST /generate},
 *       {@code /v1/chat/completions}, {@code /v1/completions}), so health checks and load polls
 *       do not use it up. With {@link #forPath(String)} it matches every request to exactly that
 *       path, on any endpoint, including paths the worker does not otherwise serve.
 *   <li>The stream faults ({@link #truncatedSse()}, {@link #disconnectMidStream(int)},
 *       {@link #sseError(String)}) match streaming generation requests only.
 *   <li>{@link #abortFinish(String)} matches generation requests only.
 * </ul>
 *
 * <h2>Limits of the JDK HTTP server</h2>
 *
 * The worker cannot see a client disconnect without writing to it. A stalled request therefore
 * holds its server thread until the worker is closed, {@link FakeWorker#releaseStalls()} is
 * called, it is aborted through {@code /abort_request}, or the builder's
 * {@linkplain FakeWorker.Builder#stallLimit(Duration) stall limit} passes; then its connection is
 * dropped.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Fault {

  /** What a fault does. */
  public enum Kind {
    /** Answers with a fixed status, body and headers instead of the real answer. */
    STATUS,
    /** Waits, then answers normally. */
    DELAY,
    /** Sends nothing at all, not even headers. */
    STALL_BEFORE_HEADERS,
    /** Sends a 200 with headers, then nothing. */
    STALL_AFTER_HEADERS,
    /** Answers 200 with a body that is not valid JSON. */
    MALFORMED_JSON,
    /** Closes the connection without sending a response. */
    CLOSE_CONNECTION,
    /** Sends one SSE event, then ends the body cleanly without {@code data: [DONE]}. */
    TRUNCATED_SSE,
    /** Sends some SSE events, then drops the connection in the middle of the chunked body. */
    DISCONNECT_MID_STREAM,
    /** Sends some SSE events, then an error event and {@code data: [DONE]}. */
    SSE_ERROR,
    /** Ends generation early with an abort finish reason, as a scheduler abort does. */
    ABORT_FINISH
  }

  private final Kind kind;
  private final int statusCode;
  private final String body;
  private final Map<String, String> headers;
  private final Duration delay;
  private final int after;
  private final String message;
  private final @Nullable String path;

  private Fault(
      Kind kind,
      int statusCode,
      String body,
      Map<String, String> headers,
      Duration delay,
      int after,
      String message,
      @Nullable String path) {
    this.kind = kind;
    this.statusCode = statusCode;
    this.body = body;
    this.headers = headers;
    this.delay = delay;
    this.after = after;
    this.message = message;
    this.path = path;
  }

  private static Fault of(Kind kind) {
    return new Fault(kind, 200, "", Map.of(), Duration.ZERO, 0, "", null);
  }

  /**
   * Answers with a status code and an empty body.
   *
   * @param statusCode the HTTP status, 200 to 599
   * @return the fault
   * @throws IllegalArgumentException if the status is out of range
   */
  public static Fault status(int statusCode) {
    return status(statusCode, "", Map.of());
  }

  /**
   * Answers with a status code and body; the content type is {@code application/json} if the body
   * starts with an opening brace or bracket, else {@code text/plain}.
   *
   * @param statusCode the HTTP status, 200 to 599
   * @param body the response body
   * @return the fault
   * @throws IllegalArgumentException if the status is out of range
   */
  public static Fault status(int statusCode, String body) {
    return status(statusCode, body, Map.of());
  }

  /**
   * Answers with a status code, body and extra headers, such as a 429 with {@code Retry-After}. A
   * {@code Content-Type} entry replaces the guessed content type.
   *
   * @param statusCode the HTTP status, 200 to 599
   * @param body the response body
   * @param headers headers to add to the response
   * @return the fault
   * @throws IllegalArgumentException if the status is out of range
   */
  public static Fault status(int statusCode, String body, Map<String, String> headers) {
    if (statusCode < 200 || statusCode > 599) {
      throw new IllegalArgumentException("statusCode must be in [200, 599], but was " + statusCode);
    }
    Objects.requireNonNull(body, "body");
    Map<String, String> copy = new LinkedHashMap<>(headers);
    return new Fault(
        Kind.STATUS, statusCode, body, Map.copyOf(copy), Duration.ZERO, 0, "", null);
  }

  /**
   * Waits before answering normally; an abort or the worker's close ends the wait early.
   *
   * @param delay how long to wait, not negative
   * @return the fault
   * @throws IllegalArgumentException if the delay is negative
   */
  public static Fault delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, but was " + delay);
    }
    return new Fault(Kind.DELAY, 200, "", Map.of(), delay, 0, "", null);
  }

  /**
   * Accepts the request and never sends a byte; the connection is dropped when the stall ends (see
   * the class documentation).
   *
   * @return the fault
   */
  public static Fault stallBeforeHeaders() {
    return of(Kind.STALL_BEFORE_HEADERS);
  }

  /**
   * Sends {@code 200} with the response headers (SSE headers for a streaming request) and then
   * nothing; the connection is dropped when the stall ends (see the class documentation).
   *
   * @return the fault
   */
  public static Fault stallAfterHeaders() {
    return of(Kind.STALL_AFTER_HEADERS);
  }

  /**
   * Answers {@code 200} with a body that is not valid JSON: a cut-off JSON object for a plain
   * request, or one SSE event whose data is cut-off JSON (followed by {@code data: [DONE]}) for a
   * streaming request.
   *
   * @return the fault
   */
  public static Fault malformedJson() {
    return of(Kind.MALFORMED_JSON);
  }

  /**
   * Closes the connection without sending a response; the client sees an empty reply or an
   * unexpected end of stream.
   *
   * @return the fault
   */
  public static Fault closeConnection() {
    return of(Kind.CLOSE_CONNECTION);
  }

  /**
   * Sends the first SSE event of a streaming answer, then ends the HTTP body cleanly without
   * {@code data: [DONE]}, so the client sees a well-formed but incomplete stream.
   *
   * @return the fault
   */
  public static Fault truncatedSse() {
    return new Fault(Kind.TRUNCATED_SSE, 200, "", Map.of(), Duration.ZERO, 1, "", null);
  }

  /**
   * Sends {@code afterEvents} SSE events of a streaming answer, then drops the connection in the
   * middle of the chunked body, so the client's read fails. If the answer has fewer events, the
   * connection drops where {@code data: [DONE]} would have been.
   *
   * @param afterEvents how many {@code data:} events to send first, at least 0
   * @return the fault
   * @throws IllegalArgumentException if {@code afterEvents} is negative
   */
  public static Fault disconnectMidStream(int afterEvents) {
    return new Fault(
        Kind.DISCONNECT_MID_STREAM, 200, "", Map.of(), Duration.ZERO, nonNegative(afterEvents), "",
        null);
  }

  /**
   * Sends an error event ({@code data: {"error":{"message":...}}}, with OpenAI's
   * {@code type}/{@code param}/{@code code} fields on OpenAI paths) and then {@code data: [DONE]}
   * on HTTP 200, before any other event.
   *
   * @param message the error message
   * @return the fault
   */
  public static Fault sseError(String message) {
    return sseError(message, 0);
  }

  /**
   * Sends {@code afterEvents} normal SSE events, then an error event and {@code data: [DONE]}. If
   * the answer has fewer events, the error event comes where {@code data: [DONE]} would have.
   *
   * @param message the error message
   * @param afterEvents how many normal {@code data:} events to send first, at least 0
   * @return the fault
   * @throws IllegalArgumentException if {@code afterEvents} is negative
   */
  public static Fault sseError(String message, int afterEvents) {
    return sseError(message, afterEvents, 400);
  }

  /**
   * Sends {@code afterEvents} normal SSE events, then an error event whose error object reports
   * {@code code} (as vLLM and SGLang report the status of the failure, e.g. 503 for a full queue)
   * and {@code data: [DONE]}, all on HTTP 200.
   *
   * @param message the error message
   * @param afterEvents how many normal {@code data:} events to send first, at least 0
   * @param code the status the error object reports, 400 to 599
   * @return the fault
   * @throws IllegalArgumentException if {@code afterEvents} is negative or the code out of range
   */
  public static Fault sseError(String message, int afterEvents, int code) {
    if (code < 400 || code > 599) {
      throw new IllegalArgumentException("code must be in [400, 599], but was " + code);
    }
    // The event's code rides in the status field, which the answer itself (always 200) ignores.
    return new Fault(
        Kind.SSE_ERROR, code, "", Map.of(), Duration.ZERO, nonNegative(afterEvents),
        Objects.requireNonNull(message, "message"), null);
  }

  /**
   * Ends generation before the first token with an abort: SGLang finish reason
   * {@code {"type":"abort","message":...}} on {@code /generate}, {@code "finish_reason":"abort"} on
   * OpenAI paths; streams then send {@code data: [DONE]} and plain requests get a 200.
   *
   * @param message the abort message
   * @return the fault
   */
  public static Fault abortFinish(String message) {
    return abortFinish(message, 0);
  }

  /**
   * Ends generation with an abort after {@code afterTokens} tokens (or at the natural end, if the
   * answer is shorter).
   *
   * @param message the abort message
   * @param afterTokens how many tokens to generate first, at least 0
   * @return the fault
   * @throws IllegalArgumentException if {@code afterTokens} is negative
   */
  public static Fault abortFinish(String message, int afterTokens) {
    return new Fault(
        Kind.ABORT_FINISH, 200, "", Map.of(), Duration.ZERO, nonNegative(afterTokens),
        Objects.requireNonNull(message, "message"), null);
  }

  private static int nonNegative(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, but was " + count);
    }
    return count;
  }

  /**
   * Returns a copy of this fault that matches only requests to one path (on any method).
   *
   * @param path the exact request path, starting with {@code '/'}, such as {@code "/health"}
   * @return the restricted fault
   * @throws IllegalArgumentException if the path does not start with {@code '/'}
   */
  public Fault forPath(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', but was " + path);
    }
    return new Fault(kind, statusCode, body, headers, delay, after, message, path);
  }

  /**
   * Tells whether this fault applies to a request (see the class documentation).
   *
   * @param request the request
   * @return true if the fault may be applied to it
   */
  public boolean matches(RecordedRequest request) {
    if (path == null ? !request.generation() : !path.equals(request.path())) {
      return false;
    }
    switch (kind) {
      case TRUNCATED_SSE:
      case DISCONNECT_MID_STREAM:
      case SSE_ERROR:
        return request.streaming();
      case ABORT_FINISH:
        return request.generation();
      default:
        return true;
    }
  }

  /**
   * Returns what this fault does.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the status code of a {@link Kind#STATUS} fault.
   *
   * @return the status; 200 for other kinds
   */
  public int statusCode() {
    return kind == Kind.STATUS ? statusCode : 200;
  }

  /**
   * Returns the status the error event of a {@link Kind#SSE_ERROR} fault reports in its {@code
   * code}.
   *
   * @return the code; 0 for other kinds
   */
  public int errorCode() {
    return kind == Kind.SSE_ERROR ? statusCode : 0;
  }

  /**
   * Returns the body of a {@link Kind#STATUS} fault.
   *
   * @return the body; empty for other kinds
   */
  public String body() {
    return body;
  }

  /**
   * Returns the extra headers of a {@link Kind#STATUS} fault.
   *
   * @return an unmodifiable map; empty for other kinds
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Returns the wait of a {@link Kind#DELAY} fault.
   *
   * @return the delay; zero for other kinds
   */
  public Duration delay() {
    return delay;
  }

  /**
   * Returns how much goes out before the fault strikes: SSE events for the stream faults, tokens
   * for {@link Kind#ABORT_FINISH}.
   *
   * @return the count; 0 for kinds without one
   */
  public int after() {
    return after;
  }

  /**
   * Returns the message of an {@link Kind#SSE_ERROR} or {@link Kind#ABORT_FINISH} fault.
   *
   * @return the message; empty for other kinds
   */
  public String message() {
    return message;
  }

  /**
   * Returns the path this fault is restricted to.
   *
   * @return the path, or {@code null} if the fault matches generation requests on any path
   */
  public @Nullable String path() {
    return path;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Fault{").append(kind);
    switch (kind) {
      case STATUS:
        text.append(' ').append(statusCode);
        break;
      case DELAY:
        text.append(' ').append(delay);
        break;
      case DISCONNECT_MID_STREAM:
      case SSE_ERROR:
      case ABORT_FINISH:
        text.append(" after ").append(after);
        break;
      default:
        break;
    }
    if (path != null) {
      text.append(" on ").append(path);
    }
    return text.append('}').toString();
  }
}
