package io.flexroute.testkit.grpc;

import io.grpc.Status;
import java.util.Objects;

/**
 * A fault the {@link FakeScheduler} injects into one Generate call.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param kind what happens
 * @param code the gRPC status code, for {@link Kind#STATUS} and {@link Kind#MID_STREAM}
 * @param description the status description or abort message
 * @param afterTokens how many tokens are sent first, for {@link Kind#MID_STREAM}, {@link
 *     Kind#ABORT} and {@link Kind#STALL}
 */
public record GrpcFault(Kind kind, Status.Code code, String description, int afterTokens) {

  /** The kinds of fault. */
  public enum Kind {
    /** The call fails with a status before any message (a trailers-only answer). */
    STATUS,
    /** The call sends some tokens, then fails with a status. */
    MID_STREAM,
    /**
     * The call sends some tokens, then completes with finish reason {@code abort}, as SGLang does
     * when it aborts a request during a weight update.
     */
    ABORT,
    /**
     * The call sends some tokens, then holds until the client cancels it, its deadline passes, the
     * scheduler aborts it, or the scheduler closes.
     */
    STALL
  }

  /**
   * Validates the fields.
   *
   * @param kind what happens
   * @param code the gRPC status code, for {@link Kind#STATUS} and {@link Kind#MID_STREAM}
   * @param description the status description or abort message
   * @param afterTokens how many tokens are sent first, for {@link Kind#MID_STREAM}, {@link
   *     Kind#ABORT} and {@link Kind#STALL}
   * @throws IllegalArgumentException if {@code afterTokens} is negative or a status fault has code
   *     {@code OK}
   */
  public GrpcFault {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(description, "description");
    if (afterTokens < 0) {
      throw new IllegalArgumentException("afterTokens must be >= 0, but was " + afterTokens);
    }
    if ((kind == Kind.STATUS || kind == Kind.MID_STREAM) && code == Status.Code.OK) {
      throw new IllegalArgumentException("a status fault needs a code other than OK");
    }
  }

  /**
   * Fails the call with a status before any message.
   *
   * @param code the status code, not OK
   * @param description the description
   * @return the fault
   */
  public static GrpcFault status(Status.Code code, String description) {
    return new GrpcFault(Kind.STATUS, code, description, 0);
  }

  /**
   * Sends some tokens, then fails the call with a status.
   *
   * @param afterTokens tokens sent first
   * @param code the status code, not OK
   * @param description the description
   * @return the fault
   */
  public static GrpcFault midStream(int afterTokens, Status.Code code, String description) {
    return new GrpcFault(Kind.MID_STREAM, code, description, afterTokens);
  }

  /**
   * Sends some tokens, then completes with finish reason {@code abort}.
   *
   * @param afterTokens tokens sent first
   * @return the fault
   */
  public static GrpcFault abort(int afterTokens) {
    return new GrpcFault(Kind.ABORT, Status.Code.OK, "aborted by the fake scheduler", afterTokens);
  }

  /**
   * Sends some tokens, then holds the call until it is cancelled, aborted or the scheduler closes.
   *
   * @param afterTokens tokens sent first
   * @return the fault
   */
  public static GrpcFault stall(int afterTokens) {
    return new GrpcFault(Kind.STALL, Status.Code.OK, "stalled", afterTokens);
  }
}
