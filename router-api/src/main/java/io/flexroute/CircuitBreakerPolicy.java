package io.flexroute;

import java.time.Duration;

/**
 * How each worker's circuit breaker opens and closes.
 *
 * <p>The breaker counts consecutive worker faults ({@link WorkerException#isWorkerFault()},
 * timeouts included; a 4xx caused by the request never counts). At {@link #failureThreshold()} it
 * opens: the worker gets no requests for {@link #openDuration()}. Then it is half-open: at most
 * {@link #halfOpenProbes()} requests run on it at once; {@link #successThreshold()} successes in a
 * row close it, and any fault opens it again for twice as long (up to {@link #maxOpenDuration()}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CircuitBreakerPolicy {

  /** Consecutive faults that open the breaker, when none is set. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  /** Consecutive half-open successes that close it, when none is set. */
  public static final int DEFAULT_SUCCESS_THRESHOLD = 2;
  /** How long it stays open the first time, when none is set. */
  public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(10);
  /** The longest open period, when none is set. */
  public static final Duration DEFAULT_MAX_OPEN_DURATION = Duration.ofMinutes(2);
  /** Concurrent half-open probe requests, when none is set. */
  public static final int DEFAULT_HALF_OPEN_PROBES = 2;
  /** How long a worker that answered 429 without {@code Retry-After} is parked, when none is set. */
  public static final Duration DEFAULT_RATE_LIMIT_PARK = Duration.ofSeconds(1);

  private static final CircuitBreakerPolicy DEFAULTS = builder().build();
  private static final CircuitBreakerPolicy DISABLED =
      builder().failureThreshold(Integer.MAX_VALUE).build();

  private final int failureThreshold;
  private final int successThreshold;
  private final Duration openDuration;
  private final Duration maxOpenDuration;
  private final int halfOpenProbes;
  private final Duration rateLimitPark;

  private CircuitBreakerPolicy(Builder b) {
    this.failureThreshold = b.failureThreshold;
    this.successThreshold = b.successThreshold;
    this.openDuration = b.openDuration;
    this.maxOpenDuration = b.maxOpenDuration;
    this.halfOpenProbes = b.halfOpenProbes;
    this.rateLimitPark = b.rateLimitPark;
  }

  /**
   * The default policy: open after 5 faults in a row for 10 s (doubling up to 2 min), 2 probes,
   * closed after 2 successes.
   *
   * @return the default policy
   */
  public static CircuitBreakerPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A policy whose breakers never open.
   *
   * @return the policy
   */
  public static CircuitBreakerPolicy disabled() {
    return DISABLED;
  }

  /**
   * Starts a builder with the default settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the consecutive faults that open the breaker */
  public int failureThreshold() {
    return failureThreshold;
  }

  /** @return the consecutive half-open successes that close it */
  public int successThreshold() {
    return successThreshold;
  }

  /** @return how long it stays open the first time */
  public Duration openDuration() {
    return openDuration;
  }

  /** @return the longest open period */
  public Duration maxOpenDuration() {
    return maxOpenDuration;
  }

  /** @return the concurrent probe requests allowed while half-open */
  public int halfOpenProbes() {
    return halfOpenProbes;
  }

  /**
   * How long a worker that answered 429 is parked (gets no requests) when it sent no {@code
   * Retry-After}; with one, the worker is parked for that long (at most five minutes). A 503 with
   * {@code Retry-After} parks the worker the same way; a 503 without one does not. Parking applies
   * even when breakers are disabled.
   *
   * @return the parking time
   */
  public Duration rateLimitPark() {
    return rateLimitPark;
  }

  /** @return whether breakers can open at all */
  public boolean isEnabled() {
    return failureThreshold != Integer.MAX_VALUE;
  }

  @Override
  public String toString() {
    return "CircuitBreakerPolicy{failureThreshold=" + failureThreshold + ", successThreshold="
        + successThreshold + ", openDuration=" + openDuration + ", maxOpenDuration="
        + maxOpenDuration + ", halfOpenProbes=" + halfOpenProbes + ", rateLimitPark="
        + rateLimitPark + "}";
  }

  /** Builds a {@link CircuitBreakerPolicy}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int successThreshold = DEFAULT_SUCCESS_THRESHOLD;
    private Duration openDuration = DEFAULT_OPEN_DURATION;
    private Duration maxOpenDuration = DEFAULT_MAX_OPEN_DURATION;
    private int halfOpenProbes = DEFAULT_HALF_OPEN_PROBES;
    private Duration rateLimitPark = DEFAULT_RATE_LIMIT_PARK;

    private Builder() {}

    /**
     * Sets how long a worker that answered 429 without {@code Retry-After} is parked. Default 1 s.
     *
     * @param park positive
     * @return this builder
     * @throws IllegalArgumentException if not positive or longer than 3650 days
     */
    public Builder rateLimitPark(Duration park) {
      this.rateLimitPark = Durations.positive(park, "rateLimitPark");
      return this;
    }

    /**
     * Sets the consecutive faults that open the breaker. Default 5.
     *
     * @param n at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder failureThreshold(int n) {
      this.failureThreshold = Durations.atLeast(n, 1, "failureThreshold");
      return this;
    }

    /**
     * Sets the consecutive half-open successes that close the breaker. Default 2.
     *
     * @param n at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder successThreshold(int n) {
      this.successThreshold = Durations.atLeast(n, 1, "successThreshold");
      return this;
    }

    /**
     * Sets how long the breaker stays open the first time. Default 10 s.
     *
     * @param duration positive
     * @return this builder
     * @throws IllegalArgumentException if not positive or longer than 3650 days
     */
    public Builder openDuration(Duration duration) {
      this.openDuration = Durations.positive(duration, "openDuration");
      return this;
    }

    /**
     * Sets the longest open period after repeated failed probes. Default 2 min.
     *
     * @param duration positive
     * @return this builder
     * @throws IllegalArgumentException if not positive or longer than 3650 days
     */
    public Builder maxOpenDuration(Duration duration) {
      this.maxOpenDuration = Durations.positive(duration, "maxOpenDuration");
      return this;
    }

    /**
     * Sets the concurrent probe requests allowed while half-open. Default 2.
     *
     * @param n at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder halfOpenProbes(int n) {
      this.halfOpenProbes = Durations.atLeast(n, 1, "halfOpenProbes");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     * @throws IllegalArgumentException if the open duration exceeds the maximum
     */
    public CircuitBreakerPolicy build() {
      if (openDuration.compareTo(maxOpenDuration) > 0) {
        throw new IllegalArgumentException(
            "openDuration (" + openDuration + ") must not exceed maxOpenDuration ("
                + maxOpenDuration + ")");
      }
      return new CircuitBreakerPolicy(this);
    }
  }
}
