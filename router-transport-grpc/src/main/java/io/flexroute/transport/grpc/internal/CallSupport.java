package io.flexroute.transport.grpc.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.spi.CallContext;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What every call needs: its deadline from the request's remaining time, and its metadata.
 *
 * <h2>Metadata</h2>
 *
 * {@code x-request-id} carries the request id and {@code authorization: Bearer <key>} the worker's
 * API key, if it has one. The context's headers (worker headers, then request headers) follow, with
 * names in lower case, and replace a default of the same name, except {@code x-request-id}; names
 * gRPC reserves ({@code grpc-*}, {@code content-type}, {@code te}, {@code user-agent}, pseudo
 * headers) are skipped, and binary ({@code -bin}) names are refused.
 *
 * <p>Instances are stateless and thread-safe.
 */
public final class CallSupport {

  /**
   * The longest deadline set; a longer remaining time (a router without a deadline) gets this one,
   * which keeps grpc's nanosecond arithmetic from overflowing.
   */
  static final Duration MAX_DEADLINE = Duration.ofDays(365);

  private static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private CallSupport() {}

  /**
   * Makes the root context the current one while a call is created and started, and returns the
   * context to restore with {@link #leaveRoot}. A call takes the deadline and cancellation of the
   * gRPC context current when it is created: an application that routes from inside its own gRPC
   * handler would otherwise end every worker call (and the aborts) with its incoming RPC's
   * deadline or cancel. The router's {@link CallContext} carries the call's own deadline and
   * cancellation.
   *
   * @return the context that was current
   */
  static Context enterRoot() {
    return Context.ROOT.attach();
  }

  /**
   * Restores the context {@link #enterRoot} replaced.
   *
   * @param previous what {@link #enterRoot} returned
   */
  static void leaveRoot(Context previous) {
    Context.ROOT.detach(previous);
  }

  /** A call's deadline, and the timeout it stands for. */
  public record Timing(Deadline deadline, Duration timeout) {}

  /**
   * The deadline of a call from the context's remaining time.
   *
   * @param context the call's context
   * @return the timing
   * @throws RequestCancelledException if the context is already cancelled
   * @throws RequestTimeoutException if the deadline already passed
   */
  public static Timing timing(CallContext context) {
    if (context.isCancelled()) {
      throw new RequestCancelledException(context.requestId());
    }
    Duration remaining = context.remaining();
    if (remaining.isNegative() || remaining.isZero()) {
      throw new RequestTimeoutException(context.requestId(), context.timeout());
    }
    Duration timeout = remaining.compareTo(MAX_DEADLINE) > 0 ? MAX_DEADLINE : remaining;
    return new Timing(Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS), timeout);
  }

  /**
   * The call options for a deadline.
   *
   * @param timing the call's timing
   * @return the options
   */
  public static CallOptions options(Timing timing) {
    return CallOptions.DEFAULT.withDeadline(timing.deadline());
  }

  /**
   * The metadata of a call.
   *
   * @param worker the worker
   * @param requestId the request id, or null for calls that belong to no request
   * @param headers the context's headers
   * @return the metadata
   * @throws RouterException if a header cannot be sent as gRPC metadata (the message names the
   *     header and the worker, never a value)
   */
  public static Metadata metadata(
      Worker worker, @Nullable String requestId, Map<String, String> headers) {
    Metadata md = new Metadata();
    String apiKey = worker.apiKey();
    if (apiKey != null) {
      if (!isAscii(apiKey)) {
        throw new RouterException(
            "apiKey of worker '" + worker.id()
                + "' contains a character that gRPC metadata cannot carry");
      }
      md.put(AUTHORIZATION, "Bearer " + apiKey);
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("x-request-id") || isReserved(name)) {
        continue;
      }
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX) || !isAscii(h.getValue())) {
        throw new RouterException(
            "header '" + h.getKey() + "' for worker '" + worker.id()
                + "' cannot be sent as ASCII gRPC metadata");
      }
      Metadata.Key<String> key;
      try {
        key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
      } catch (IllegalArgumentException e) {
        throw new RouterException(
            "header '" + h.getKey() + "' for worker '" + worker.id()
                + "' is not a valid gRPC metadata name");
      }
      md.removeAll(key);
      md.put(key, h.getValue());
    }
    if (requestId != null) {
      md.put(REQUEST_ID, requestId);
    }
    return md;
  }

  private static boolean isReserved(String name) {
    return name.startsWith(":")
        || name.startsWith("grpc-")
        || name.equals("content-type")
        || name.equals("te")
        || name.equals("user-agent");
  }

  private static boolean isAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
