package io.flexroute;

import java.time.Duration;
import java.util.Objects;

/**
 * Active and passive health checking of workers.
 *
 * <p>Active: every {@link #interval()} the router probes each worker through its transport (HTTP
 * {@code GET} on {@link #path()}, gRPC {@code HealthCheck}) with {@link #timeout()}. {@link
 * #failureThreshold()} failed probes in a row mark a healthy worker unhealthy; {@link
 * #successThreshold()} good probes in a row mark an unhealthy one healthy. Draining workers keep
 * their state.
 *
 * <p>Passive: {@link #passiveFailureThreshold()} consecutive connection failures or timeouts of real
 * requests mark a worker unhealthy at once, without waiting for the next probe; active probes bring
 * it back. 0 turns passive detection off.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HealthCheckPolicy {

  /** The probe interval, when none is set. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  /** The probe timeout, when none is set (SGLang's generation probe can take seconds). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** The probe path, when none is set. */
  public static final String DEFAULT_PATH = "/health";
  /** Failed probes in a row that mark a worker unhealthy, when none is set. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 3;
  /** Good probes in a row that mark it healthy again, when none is set. */
  public static final int DEFAULT_SUCCESS_THRESHOLD = 2;
  /** Consecutive connection failures of real traffic that mark it unhealthy, when none is set. */
  public static final int DEFAULT_PASSIVE_FAILURE_THRESHOLD = 3;

  private static final HealthCheckPolicy DEFAULTS = builder().build();

  private final Duration interval;
  private final Duration timeout;
  private final String path;
  private final int failureThreshold;
  private final int successThreshold;
  private final int passiveFailureThreshold;

  private HealthCheckPolicy(Builder b) {
    this.interval = b.interval;
    this.timeout = b.timeout;
    this.path = b.path;
    this.failureThreshold = b.failureThreshold;
    this.successThreshold = b.successThreshold;
    this.passiveFailureThreshold = b.passiveFailureThreshold;
  }

  /**
   * The default policy: probe {@code /health} every 10 s with a 5 s timeout, 3 failures to mark
   * unhealthy, 2 successes to recover, passive detection after 3 connection failures.
   *
   * @return the default policy
   */
  public static HealthCheckPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder with the default settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the probe interval */
  public Duration interval() {
    return interval;
  }

  /** @return the probe timeout */
  public Duration timeout() {
    return timeout;
  }

  /** @return the HTTP path probed, such as {@code /health} or {@code /health_generate} */
  public String path() {
    return path;
  }

  /** @return failed probes in a row that mark a worker unhealthy */
  public int failureThreshold() {
    return failureThreshold;
  }

  /** @return good probes in a row that mark it healthy again */
  public int successThreshold() {
    return successThreshold;
  }

  /** @return consecutive connection failures of real traffic that mark it unhealthy; 0 = off */
  public int passiveFailureThreshold() {
    return passiveFailureThreshold;
  }

  @Override
  public String toString() {
    return "HealthCheckPolicy{interval=" + interval + ", timeout=" + timeout + ", path=" + path
        + ", failureThreshold=" + failureThreshold + ", successThreshold=" + successThreshold
        + ", passiveFailureThreshold=" + passiveFailureThreshold + "}";
  }

  /** Builds a {@link HealthCheckPolicy}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private Duration interval = DEFAULT_INTERVAL;
    private Duration timeout = DEFAULT_TIMEOUT;
    private String path = DEFAULT_PATH;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private int successThreshold = DEFAULT_SUCCESS_THRESHOLD;
    private int passiveFailureThreshold = DEFAULT_PASSIVE_FAILURE_THRESHOLD;

    private Builder() {}

    /**
     * Sets the probe interval. Default 10 s.
     *
     * @param interval at least 10 ms
     * @return this builder
     * @throws IllegalArgumentException if shorter than 10 ms or longer than 3650 days
     */
    public Builder interval(Duration interval) {
      Durations.positive(interval, "interval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("interval must be at least 10 ms, but was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * Sets the probe timeout. Default 5 s.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive or longer than 3650 days
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Durations.positive(timeout, "timeout");
      return this;
    }

    /**
     * Sets the HTTP path probed. Default {@value HealthCheckPolicy#DEFAULT_PATH}.
     *
     * @param path a path starting with {@code /}
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code /}
     */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path");
      if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ')) {
        throw new IllegalArgumentException(
            "path must start with '/' and have no whitespace, but was '" + path + "'");
      }
      this.path = path;
      return this;
    }

    /**
     * Sets the failed probes in a row that mark a worker unhealthy. Default 3.
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
     * Sets the good probes in a row that mark a worker healthy again. Default 2.
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
     * Sets the consecutive connection failures of real traffic that mark a worker unhealthy. Default
     * 3; 0 turns passive detection off.
     *
     * @param n at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder passiveFailureThreshold(int n) {
      this.passiveFailureThreshold = Durations.atLeast(n, 0, "passiveFailureThreshold");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     */
    public HealthCheckPolicy build() {
      return new HealthCheckPolicy(this);
    }
  }
}
