package io.flexroute.core.strategy;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The settings of {@link KvUsageGateFilter}. Build them with {@link #builder()}; {@link
 * #defaults()}
 * gives the documented defaults (FlexLB's decode gate: off at 90%, on again at 76%).
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its
 * value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class KvUsageGateConfig {

  /** The default KV-cache usage at or above which a worker stops receiving requests: 0.90. */
  public static final double DEFAULT_HIGH_MARK = 0.90;

  /** The default KV-cache usage at or below which a gated worker gets requests again: 0.76. */
  public static final double DEFAULT_LOW_MARK = 0.76;

  /** The default age beyond which a reported usage is ignored (the worker is not gated): 10 s. */
  public static final Duration DEFAULT_MAX_REPORT_AGE = Duration.ofSeconds(10);

  /**
   * The default interval between two evaluations of the gates: 100 ms. Reports arrive at the load
   * polling interval, so evaluating them on every request would only cost an O(n) scan.
   */
  public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofMillis(100);

  /** By default, when every candidate is gated, the filter lets them all through (fails open). */
  public static final boolean DEFAULT_FAIL_OPEN = true;

  private static final KvUsageGateConfig DEFAULTS = builder().build();

  private final double highMark;
  private final double lowMark;
  private final Duration maxReportAge;
  private final Duration recheckInterval;
  private final boolean failOpen;
  private final LongSupplier ticker;

  private KvUsageGateConfig(Builder b) {
    this.highMark = b.highMark;
    this.lowMark = b.lowMark;
    this.maxReportAge = b.maxReportAge;
    this.recheckInterval = b.recheckInterval;
    this.failOpen = b.failOpen;
    this.ticker = b.ticker;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static KvUsageGateConfig defaults() {
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

  /** @return the usage at or above which a worker is gated */
  public double highMark() {
    return highMark;
  }

  /** @return the usage at or below which a gated worker is released */
  public double lowMark() {
    return lowMark;
  }

  /** @return the age beyond which a reported usage is ignored */
  public Duration maxReportAge() {
    return maxReportAge;
  }

  /** @return the interval between two evaluations of the gates */
  public Duration recheckInterval() {
    return recheckInterval;
  }

  /** @return whether all candidates pass when every one is gated */
  public boolean failOpen() {
    return failOpen;
  }

  /** @return the clock reported loads are stamped with, in nanoseconds */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "KvUsageGateConfig{highMark=" + highMark + ", lowMark=" + lowMark + ", maxReportAge="
        + maxReportAge + ", recheckInterval=" + recheckInterval + ", failOpen=" + failOpen + "}";
  }

  /** Builds a {@link KvUsageGateConfig}. Not thread-safe. */
  public static final class Builder {
    private double highMark = DEFAULT_HIGH_MARK;
    private double lowMark = DEFAULT_LOW_MARK;
    private Duration maxReportAge = DEFAULT_MAX_REPORT_AGE;
    private Duration recheckInterval = DEFAULT_RECHECK_INTERVAL;
    private boolean failOpen = DEFAULT_FAIL_OPEN;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /**
     * Sets the marks: a worker is gated once its usage reaches {@code high} and released once it
     * falls to {@code low}; in between it keeps its state. Defaults {@value #DEFAULT_HIGH_MARK} and
     * {@value #DEFAULT_LOW_MARK}.
     *
     * @param low the release mark, in [0, high]
     * @param high the gate mark, in (0, 1]
     * @return this builder
     * @throws IllegalArgumentException if the marks are out of range or inverted
     */
    public Builder marks(double low, double high) {
      if (!(high > 0 && high <= 1)) {
        throw new IllegalArgumentException("highMark must be in (0, 1], but was " + high);
      }
      if (!(low >= 0 && low <= high)) {
        throw new IllegalArgumentException(
            "lowMark must be in [0, highMark=" + high + "], but was " + low);
      }
      this.lowMark = low;
      this.highMark = high;
      return this;
    }

    /**
     * Sets the age beyond which a reported usage is ignored. Default {@link
     * #DEFAULT_MAX_REPORT_AGE}.
     *
     * @param age positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxReportAge(Duration age) {
      this.maxReportAge = ShortestTtftConfig.Builder.positive(age, "maxReportAge");
      return this;
    }

    /**
     * Sets the interval between two evaluations of the gates; zero evaluates them on every request.
     * Default {@link #DEFAULT_RECHECK_INTERVAL}.
     *
     * @param interval zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder recheckInterval(Duration interval) {
      Objects.requireNonNull(interval, "recheckInterval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("recheckInterval must be >= 0, but was " + interval);
      }
      this.recheckInterval = interval;
      return this;
    }

    /**
     * Sets whether all candidates pass when every one is gated (otherwise the request is declined).
     * Default {@value #DEFAULT_FAIL_OPEN}.
     *
     * @param failOpen whether to fail open
     * @return this builder
     */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /**
     * Sets the clock reported loads are stamped with. Default {@code System::nanoTime}.
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
    public KvUsageGateConfig build() {
      return new KvUsageGateConfig(this);
    }
  }
}
