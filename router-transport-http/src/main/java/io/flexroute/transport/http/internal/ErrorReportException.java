package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A 2xx answer whose body is the worker's error report instead of a result, such as {@code
 * {"object":"error","code":400,"message":"..."}}. Thrown by the decoders; the caller turns it into
 * the error the report describes.
 */
public final class ErrorReportException extends JsonShapeException {
  private static final long serialVersionUID = 1L;

  private final transient JsonNode report;

  /**
   * Creates the exception.
   *
   * @param what the kind of answer, such as {@code generate response}
   * @param report the error report
   */
  public ErrorReportException(String what, JsonNode report) {
    super(what + " is an error report with status 200: " + describe(report));
    this.report = report;
  }

  private static String describe(JsonNode report) {
    String message = Failures.messageOf(report);
    return message == null ? "no message" : message;
  }

  /** @return the error report */
  public JsonNode report() {
    return report;
  }
}
