package io.flexroute.core.strategy;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The settings of {@link PriorityGroupFilter} and {@link PriorityFailoverStrategy}. Build them with
 * {@link #builder()}; {@link #defaults()} gives the documented defaults.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its
 * value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class PriorityFailoverConfig {

  /**
   * The default cooldown: a group that failed gets no traffic for 60 seconds, even when its workers
   * are eligible again, so that a flapping group does not take traffic back and forth.
   */
  public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(60);

  /**
   * By default failures of requests do not move traffic (0): only the active group's workers all
   * becoming ineligible (unhealthy, draining, removed) does.
   */
  public static final int DEFAULT_FAILOVER_AFTER_FAILURES = 0;

  private static final PriorityFailoverConfig DEFAULTS = builder().build();

  private final Duration cooldown;
  private final int failoverAfterFailures;
  private final LongSupplier ticker;

  private PriorityFailoverConfig(Builder b) {
    this.cooldown = b.cooldown;
    this.failoverAfterFailures = b.failoverAfterFailures;
    this.ticker = b.ticker;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static PriorityFailoverConfig defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return how long a failed group gets no traffic */
  public Duration cooldown() {
    return cooldown;
  }

  /** @return consecutive failed requests that fail the active group over, 0 for never */
  public int failoverAfterFailures() {
    return failoverAfterFailures;
  }

  /** @return the clock, in nanoseconds */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "PriorityFailoverConfig{cooldown=" + cooldown + ", failoverAfterFailures="
        + failoverAfterFailures + "}";
  }

  /** Builds a {@link PriorityFailoverConfig}. Not thread-safe. */
  public static final class Builder {
    private Duration cooldown = DEFAULT_COOLDOWN;
    private int failoverAfterFailures = DEFAULT_FAILOVER_AFTER_FAILURES;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /**
     * Sets how long a group that failed gets no traffic. Default {@link #DEFAULT_COOLDOWN}.
     *
     * @param cooldown zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder cooldown(Duration cooldown) {
      Objects.requireNonNull(cooldown, "cooldown");
      if (cooldown.isNegative()) {
        throw new IllegalArgumentException("cooldown must be >= 0, but was " + cooldown);
      }
      this.cooldown = cooldown;
      return this;
    }

    /**
     * Sets how many consecutive failed requests (worker errors and timeouts) on the active group
     * put it in cooldown and move traffic to the next group; 0 disables it. Default {@value
     * #DEFAULT_FAILOVER_AFTER_FAILURES}.
     *
     * @param failures at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder failoverAfterFailures(int failures) {
      if (failures < 0) {
        throw new IllegalArgumentException(
            "failoverAfterFailures must be >= 0, but was " + failures);
      }
      this.failoverAfterFailures = failures;
      return this;
    }

    /**
     * Sets the clock cooldowns run on. Default {@code System::nanoTime}.
     *
     * @param ticker the clock, in nanoseconds
     * @return this builder
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public PriorityFailoverConfig build() {
      return new PriorityFailoverConfig(this);
    }
  }
}
