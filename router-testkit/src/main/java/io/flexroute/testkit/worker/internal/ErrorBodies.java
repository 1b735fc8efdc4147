package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/** The error bodies of the protocols the worker speaks. */
final class ErrorBodies {

  private ErrorBodies() {}

  /** SGLang native: {@code {"error":{"message":...}}}. */
  static ObjectNode nativeError(String message) {
    ObjectNode body = Json.object();
    body.putObject("error").put("message", message);
    return body;
  }

  /** SGLang's flat FastAPI form: {@code {"object":"error","message","type","param","code"}}. */
  static ObjectNode flat(int status, String message, String type) {
    ObjectNode body = Json.object();
    body.put("object", "error").put("message", message).put("type", type).putNull("param");
    body.put("code", status);
    return body;
  }

  /** OpenAI's nested form: {@code {"error":{"message","type","param","code"}}}. */
  static ObjectNode openAi(int status, String message, @Nullable String param) {
    ObjectNode body = Json.object();
    ObjectNode error = body.putObject("error");
    error.put("message", message).put("type", openAiType(status));
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    error.put("code", status);
    return body;
  }

  /** FastAPI's routing errors: {@code {"detail":...}}. */
  static ObjectNode detail(String detail) {
    ObjectNode body = Json.object();
    body.put("detail", detail);
    return body;
  }

  private static String openAiType(int status) {
    switch (status) {
      case 400:
        return "BadRequestError";
      case 401:
        return "AuthenticationError";
      case 404:
        return "NotFoundError";
      case 429:
        return "RateLimitError";
      case 503:
        return "ServiceUnavailableError";
      default:
        return status >= 500 ? "InternalServerError" : "BadRequestError";
    }
  }
}
