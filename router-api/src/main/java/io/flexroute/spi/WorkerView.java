package io.flexroute.spi;

import io.flexroute.HealthState;
import io.flexroute.Worker;
import org.jspecify.annotations.Nullable;

/**
 * The live state of one worker, as routing strategies see it.
 *
 * <p>A view reads lock-free counters that change as requests start and end, so two reads may
 * disagree; strategies must tolerate that. Implementations are thread-safe. In-flight counts are the
 * same counters the router's in-flight guard maintains, so a strategy that prefers low counts can
 * never drift onto one worker through a leak.
 */
public interface WorkerView {

  /** @return the worker's description */
  Worker worker();

  /** @return the worker's id; the same as {@code worker().id()} */
  default String id() {
    return worker().id();
  }

  /** @return the number of requests the router has running on this worker now */
  int inFlightRequests();

  /** @return the estimated prompt tokens of the requests running on this worker now */
  long inFlightTokens();

  /**
   * An exponentially weighted moving average of successful request latency.
   *
   * @return the average in nanoseconds, or 0 before the first completed request
   */
  long ewmaLatencyNanos();

  /**
   * An exponentially weighted moving average of time to first chunk of streams.
   *
   * @return the average in nanoseconds, or 0 before the first stream
   */
  long ewmaTtftNanos();

  /** @return the current health state */
  HealthState health();

  /** @return the load the worker last reported about itself, or null if none was polled yet */
  @Nullable WorkerLoad reportedLoad();

  /** @return the number of requests completed on this worker, whatever their outcome */
  long completedRequests();

  /**
   * The state of the worker's circuit breaker. The default, for views without one, is closed.
   *
   * @return the breaker state
   */
  default BreakerState breakerState() {
    return BreakerState.CLOSED;
  }

  /**
   * The weight version the router last learned for this worker: from a fleet broadcast ({@link
   * io.flexroute.fleet.Fleet}), or from the {@code weight_version} the worker reported in an
   * answer. The default, for views that do not track versions, is unknown.
   *
   * @return the version, or null while unknown
   */
  default @Nullable String weightVersion() {
    return null;
  }

  /**
   * Whether the fleet control plane has taken the worker out of rotation (paused, or updating its
   * weights). The default, for views without a control plane, is serving.
   *
   * @return the control state
   */
  default ControlState controlState() {
    return ControlState.SERVING;
  }

  /**
   * Until when the worker is parked after a rate-limit answer (429), on the {@link
   * System#nanoTime()} clock. The default, for views without parking, is never.
   *
   * @return the time the parking ends, or {@link Long#MIN_VALUE} when not parked
   */
  default long parkedUntilNanos() {
    return Long.MIN_VALUE;
  }
}
