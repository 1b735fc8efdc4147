package io.flexroute.testkit.worker.internal;

import org.jspecify.annotations.Nullable;

/** A request the worker rejects; each endpoint renders it in its protocol's error shape. */
final class RequestException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final @Nullable String param;

  RequestException(int status, String message, @Nullable String param) {
    super(message, null, false, false);
    this.status = status;
    this.param = param;
  }

  static RequestException badRequest(String message) {
    return new RequestException(400, message, null);
  }

  static RequestException badParam(String param, String message) {
    return new RequestException(400, message, param);
  }

  int status() {
    return status;
  }

  @Nullable String param() {
    return param;
  }
}
