package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.CallContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import okhttp3.Response;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * Turns what went wrong on the wire into the router's exceptions: error statuses and bodies, I/O
 * failures, call timeouts, cancellations, unreadable answers and errors reported inside streams.
 *
 * <p>Messages name the worker and the worker's own error text; they never contain request headers,
 * API keys or prompts. Instances are immutable and thread-safe.
 */
public final class Failures {

  /** The most bytes of an error body read. */
  static final long MAX_ERROR_BODY_BYTES = 64 * 1024;

  /** The longest worker message put into an exception message, in characters. */
  static final int MAX_MESSAGE_CHARS = 1024;

  private final JsonCodec json;

  /**
   * Creates the mapper.
   *
   * @param json the codec used to read error bodies
   */
  public Failures(JsonCodec json) {
    this.json = json;
  }

  /**
   * The exception for a non-2xx answer; reads (a bounded part of) its body.
   *
   * @param worker the worker
   * @param response the answer; not closed here
   * @return the exception
   */
  public WorkerException httpStatus(Worker worker, Response response) {
    String body = readBounded(response);
    int code = response.code();
    String message = errorMessage(body);
    if (message == null) {
      String reason = response.message();
      message = reason.isBlank() ? "no error message" : reason;
    }
    String retryAfter = response.header("Retry-After");
    if (retryAfter != null && !retryAfter.isBlank()) {
      message = message + " (Retry-After: " + retryAfter.strip() + ")";
    }
    return new WorkerException(
        worker.id(), WorkerException.Kind.HTTP_STATUS, code, message, body.isEmpty() ? null : body,
        parseRetryAfter(retryAfter, java.time.Instant.now()), null);
  }

  /**
   * Reads a {@code Retry-After} value: delay seconds or an HTTP date.
   *
   * @param value the header value, or null
   * @param now the current time, for HTTP dates
   * @return the wait (zero for a date in the past), or null when absent or unreadable
   */
  public static java.time.@Nullable Duration parseRetryAfter(
      @Nullable String value, java.time.Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : java.time.Duration.ofSeconds(Math.min(seconds, 86_400));
    } catch (NumberFormatException notSeconds) {
      try {
        java.time.Instant at =
            java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant();
        java.time.Duration wait = java.time.Duration.between(now, at);
        return wait.isNegative() ? java.time.Duration.ZERO : wait;
      } catch (java.time.format.DateTimeParseException notDate) {
        return null;
      }
    }
  }

  /**
   * The worker's message in an error body: the nested {@code {"error":{"message":...}}} form, the
   * flat {@code {"object":"error","message":...}} form, FastAPI's {@code {"detail":...}}, or plain
   * text.
   *
   * @param body the body
   * @return the message, or null when the body is empty
   */
  public @Nullable String errorMessage(String body) {
    String trimmed = body.strip();
    if (trimmed.isEmpty()) {
      return null;
    }
    JsonNode node = json.tryParse(trimmed);
    if (node != null && node.isObject()) {
      String message = messageOf(node);
      if (message != null) {
        return message;
      }
      // A JSON error of an unknown shape may echo the request (and so the prompt): name its
      // fields only. The raw body stays in WorkerException.errorBody() for the caller.
      List<String> fields = new ArrayList<>();
      node.fieldNames().forEachRemaining(fields::add);
      return clip("error body without a message (fields " + fields + ")");
    }
    return clip(trimmed);
  }

  /**
   * The message of an error object, in any of the forms workers use.
   *
   * @param node the error document
   * @return the message, or null when none was found
   */
  static @Nullable String messageOf(JsonNode node) {
    JsonNode error = JsonNodes.field(node, "error");
    if (error != null) {
      if (error.isTextual()) {
        return clip(error.textValue());
      }
      if (error.isObject()) {
        String nested = messageOf(error);
        if (nested != null) {
          return nested;
        }
      }
    }
    JsonNode message = JsonNodes.field(node, "message");
    if (message != null && message.isTextual()) {
      return clip(message.textValue());
    }
    JsonNode detail = JsonNodes.field(node, "detail");
    if (detail != null) {
      return clip(detailMessage(detail));
    }
    return null;
  }

  /**
   * FastAPI's {@code detail}: a string, or pydantic's validation errors ({@code [{"type", "loc",
   * "msg", "input", "ctx"}, ...]}), of which only the messages and locations are kept: {@code
   * input} holds the rejected part of the request, which may be the prompt.
   */
  private static String detailMessage(JsonNode detail) {
    if (detail.isTextual()) {
      return detail.textValue();
    }
    List<String> parts = new ArrayList<>();
    Iterable<JsonNode> items = detail.isArray() ? detail : List.of(detail);
    for (JsonNode item : items) {
      JsonNode msg = JsonNodes.field(item, "msg");
      if (msg == null || !msg.isTextual()) {
        continue;
      }
      JsonNode loc = JsonNodes.field(item, "loc");
      StringBuilder part = new StringBuilder(msg.textValue());
      if (loc != null && loc.isArray() && !loc.isEmpty()) {
        List<String> path = new ArrayList<>();
        loc.forEach(step -> path.add(step.asText()));
        part.append(" at ").append(String.join(".", path));
      }
      parts.add(part.toString());
    }
    return parts.isEmpty() ? "validation failed (details not shown)" : String.join("; ", parts);
  }

  /**
   * The exception for an error the worker reported inside a stream that had started ({@code data:
   * {"error":...}} or an {@code error} event).
   *
   * @param worker the worker
   * @param node the event's JSON, or null when the data was not JSON
   * @param raw the event's data
   * @return the exception
   */
  public WorkerException streamError(Worker worker, @Nullable JsonNode node, String raw) {
    String message = node == null ? null : messageOf(node);
    if (message == null) {
      message = raw.isBlank() ? "error event without a message" : clip(raw.strip());
    }
    JsonNode error = node == null ? null : JsonNodes.field(node, "error");
    JsonNode details = error != null && error.isObject() ? error : node;
    JsonNode code = JsonNodes.field(details, "code");
    if (code != null && code.isValueNode()) {
      message = message + " (code " + code.asText() + ")";
    }
    return new WorkerException(
        worker.id(), WorkerException.Kind.STREAM_ERROR, streamErrorStatus(details), message, raw,
        null);
  }

  /**
   * The exception for a stream the worker refused after answering 200: an abort before the first
   * token that reports a status (SGLang's full queue).
   *
   * @param worker the worker
   * @param status the status the abort reports
   * @param message the abort's message
   * @param raw the event's data
   * @return the exception
   */
  public WorkerException streamRefused(Worker worker, int status, String message, String raw) {
    return new WorkerException(
        worker.id(), WorkerException.Kind.STREAM_ERROR, status,
        clip(message) + " (aborted with status " + status + " before the first token)", raw, null);
  }

  /**
   * The HTTP status an error event stands for: its {@code code} when that is an error status
   * (vLLM's and SGLang's error objects carry the status there, e.g. 503 for a full queue), else
   * its {@code type} when that is one (SGLang's flat errors), else Anthropic's error types; 200,
   * the stream's own status, when it says none. So a worker that reports overload inside a 200
   * stream is retried and counted as a fault like one that answers 503.
   */
  static int streamErrorStatus(@Nullable JsonNode details) {
    if (details == null || !details.isObject()) {
      return 200;
    }
    int status = errorStatus(JsonNodes.field(details, "code"));
    if (status == 0) {
      status = errorStatus(JsonNodes.field(details, "type"));
    }
    if (status == 0) {
      JsonNode type = JsonNodes.field(details, "type");
      String name = type != null && type.isTextual() ? type.textValue() : "";
      status =
          switch (name) {
            case "overloaded_error" -> 529;
            case "rate_limit_error" -> 429;
            case "api_error" -> 500;
            case "timeout_error" -> 504;
            default -> 200;
          };
    }
    return status;
  }

  /** The value as an error status (400-599), from a number or a numeric string; 0 otherwise. */
  private static int errorStatus(@Nullable JsonNode value) {
    int status;
    if (value != null && value.isIntegralNumber()) {
      status = value.canConvertToInt() ? value.intValue() : 0;
    } else if (value != null && value.isTextual() && value.textValue().matches("[45]\\d\\d")) {
      status = Integer.parseInt(value.textValue());
    } else {
      status = 0;
    }
    return status >= 400 && status <= 599 ? status : 0;
  }

  /**
   * The exception for an answer that could not be read.
   *
   * @param worker the worker
   * @param message what was wrong
   * @param cause the underlying exception, if any
   * @return the exception
   */
  public WorkerException malformed(Worker worker, String message, @Nullable Throwable cause) {
    return new WorkerException(
        worker.id(), WorkerException.Kind.MALFORMED_RESPONSE, 0, message, null, cause);
  }

  /**
   * The exception for a 2xx answer that is an error report: {@code HTTP_STATUS} with the status
   * the report gives (its {@code code} or {@code type}, as for error events), so that a refused
   * request (400, context too long) is not retried on every worker and a reported overload (503) is
   * retried as if the worker had answered with that status; {@code MALFORMED_RESPONSE} when the
   * report names no error status.
   *
   * @param worker the worker
   * @param e the decoder's exception
   * @return the exception
   */
  public WorkerException errorReport(Worker worker, ErrorReportException e) {
    JsonNode report = e.report();
    JsonNode error = JsonNodes.field(report, "error");
    int status = streamErrorStatus(error != null && error.isObject() ? error : report);
    if (status < 400) {
      return malformed(worker, e.getMessage(), e);
    }
    String message = messageOf(report);
    return new WorkerException(
        worker.id(), WorkerException.Kind.HTTP_STATUS, status,
        (message == null ? "no error message" : clip(message)) + " (reported with status 200)",
        report.toString(), e);
  }


  /**
   * The exception for an I/O failure of a call.
   *
   * <ul>
   *   <li>The call timeout (set from the request's deadline) expired: {@link
   *       RequestTimeoutException}.
   *   <li>The context was cancelled, or the consumer closed the stream: {@link
   *       RequestCancelledException}.
   *   <li>A broken event stream: {@code MALFORMED_RESPONSE}.
   *   <li>Anything else, including connect and idle-read timeouts: {@code CONNECTION}.
   * </ul>
   *
   * @param e the failure
   * @param worker the worker
   * @param context the call's context
   * @param timeout the call timeout that was set
   * @param closedByConsumer whether the stream's consumer closed it
   * @return the exception
   */
  public RouterException fromIo(
      IOException e,
      Worker worker,
      CallContext context,
      Duration timeout,
      boolean closedByConsumer) {
    if (isCallTimeout(e)) {
      return new RequestTimeoutException(context.requestId(), context.timeout());
    }
    if (context.isCancelled() || closedByConsumer) {
      return new RequestCancelledException(context.requestId());
    }
    if (isExecutorRejection(e)) {
      // OkHttp's dispatcher was shut down (the transport closed) before the call could run: not
      // the worker's fault, and not worth a retry on this transport.
      return new RouterClosedException();
    }
    if (e instanceof SseFormatException) {
      return malformed(worker, e.getMessage() == null ? "bad event stream" : e.getMessage(), e);
    }
    String what = e instanceof SocketTimeoutException ? "timed out: " : "";
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new WorkerException(
        worker.id(), WorkerException.Kind.CONNECTION, 0, what + detail, null, e);
  }

  /**
   * Whether OkHttp failed the call because its dispatcher's executor refused it: an {@code
   * InterruptedIOException("executor rejected")}, with the executor's {@link
   * RejectedExecutionException} as its cause, or none when the dispatcher saw the executor shut
   * down before handing the call over.
   */
  static boolean isExecutorRejection(IOException e) {
    return e instanceof InterruptedIOException
        && (e.getCause() instanceof RejectedExecutionException
            || "executor rejected".equals(e.getMessage()));
  }

  /**
   * Whether OkHttp ended the call because its call timeout expired. Socket timeouts (connect and
   * idle read) are {@link SocketTimeoutException}s and do not count.
   *
   * @param e the failure
   * @return {@code true} for a call timeout
   */
  static boolean isCallTimeout(IOException e) {
    return e instanceof InterruptedIOException
        && !(e instanceof SocketTimeoutException)
        && "timeout".equals(e.getMessage());
  }

  private static String readBounded(Response response) {
    try {
      BufferedSource source = response.body().source();
      source.request(MAX_ERROR_BODY_BYTES);
      long n = Math.min(source.getBuffer().size(), MAX_ERROR_BODY_BYTES);
      return source.getBuffer().readString(n, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String clip(String text) {
    return text.length() > MAX_MESSAGE_CHARS ? text.substring(0, MAX_MESSAGE_CHARS) + "..." : text;
  }
}
