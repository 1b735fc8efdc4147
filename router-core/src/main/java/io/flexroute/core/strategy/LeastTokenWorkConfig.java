package io.flexroute.core.strategy;

import io.flexroute.Worker;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The settings of {@link LeastTokenWorkStrategy}. Build them with {@link #builder()}; {@link
 * #defaults()} gives the documented defaults (those of SGLang's {@code least_load} policy).
 *
 * <p>Instances are immutable and thread-safe when the functions given to the builder are. The
 * builder is not thread-safe; each setter checks its value and throws {@link
 * IllegalArgumentException} naming the setting.
 */
public final class LeastTokenWorkConfig {

  /** The default weight of the KV-pressure term: 0.15. */
  public static final double DEFAULT_KV_PRESSURE_WEIGHT = 0.15;

  /** The default throughput of every worker: 2,000 tokens per second. */
  public static final double DEFAULT_THROUGHPUT = 2_000;

  /** The default prompt size assumed for each request a worker reports waiting: 1,024 tokens. */
  public static final int DEFAULT_MEAN_PREFILL_TOKENS = 1024;

  /** The default age beyond which a worker's reported load is ignored: 5 seconds. */
  public static final Duration DEFAULT_MAX_REPORT_AGE = Duration.ofSeconds(5);

  private static final LeastTokenWorkConfig DEFAULTS = builder().build();

  private final double kvPressureWeight;
  private final ToDoubleFunction<Worker> throughput;
  private final int meanPrefillTokens;
  private final Duration maxReportAge;
  private final int exactScanLimit;
  private final int sampleSize;
  private final LongSupplier ticker;

  private LeastTokenWorkConfig(Builder b) {
    this.kvPressureWeight = b.kvPressureWeight;
    this.throughput = b.throughput;
    this.meanPrefillTokens = b.meanPrefillTokens;
    this.maxReportAge = b.maxReportAge;
    this.exactScanLimit = b.exactScanLimit;
    this.sampleSize = b.sampleSize;
    this.ticker = b.ticker;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static LeastTokenWorkConfig defaults() {
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

  /** @return the weight of the KV-pressure term */
  public double kvPressureWeight() {
    return kvPressureWeight;
  }

  /** @return each worker's throughput in tokens per second */
  public ToDoubleFunction<Worker> throughput() {
    return throughput;
  }

  /** @return the prompt size assumed per reported waiting request */
  public int meanPrefillTokens() {
    return meanPrefillTokens;
  }

  /** @return the age beyond which a reported load is ignored */
  public Duration maxReportAge() {
    return maxReportAge;
  }

  /** @return the candidate count up to which every candidate is scored */
  public int exactScanLimit() {
    return exactScanLimit;
  }

  /** @return the number of random candidates scored above the scan limit */
  public int sampleSize() {
    return sampleSize;
  }

  /** @return the clock reported loads are stamped with, in nanoseconds */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "LeastTokenWorkConfig{kvPressureWeight=" + kvPressureWeight + ", meanPrefillTokens="
        + meanPrefillTokens + ", maxReportAge=" + maxReportAge + ", exactScanLimit="
        + exactScanLimit + ", sampleSize=" + sampleSize + "}";
  }

  /** Builds a {@link LeastTokenWorkConfig}. Not thread-safe. */
  public static final class Builder {
    private double kvPressureWeight = DEFAULT_KV_PRESSURE_WEIGHT;
    private ToDoubleFunction<Worker> throughput = w -> DEFAULT_THROUGHPUT;
    private int meanPrefillTokens = DEFAULT_MEAN_PREFILL_TOKENS;
    private Duration maxReportAge = DEFAULT_MAX_REPORT_AGE;
    private int exactScanLimit = CacheAwareConfig.DEFAULT_EXACT_SCAN_LIMIT;
    private int sampleSize = CacheAwareConfig.DEFAULT_SAMPLE_SIZE;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /**
     * Sets the weight of the KV-pressure term {@code k / (1 - k)}. Default {@value
     * #DEFAULT_KV_PRESSURE_WEIGHT}.
     *
     * @param weight at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder kvPressureWeight(double weight) {
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "kvPressureWeight must be >= 0 and finite, but was " + weight);
      }
      this.kvPressureWeight = weight;
      return this;
    }

    /**
     * Sets a throughput per worker, read once per worker each time the eligible set changes; a
     * value
     * that is not positive and finite counts as {@value #DEFAULT_THROUGHPUT}. Default {@value
     * #DEFAULT_THROUGHPUT} for every worker.
     *
     * @param tokensPerSecond a worker's throughput in tokens per second
     * @return this builder
     */
    public Builder throughput(ToDoubleFunction<Worker> tokensPerSecond) {
      this.throughput = Objects.requireNonNull(tokensPerSecond, "throughput");
      return this;
    }

    /**
     * Sets the prompt size assumed for each request a worker reports waiting. Default {@value
     * #DEFAULT_MEAN_PREFILL_TOKENS}.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder meanPrefillTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("meanPrefillTokens must be >= 1, but was " + tokens);
      }
      this.meanPrefillTokens = tokens;
      return this;
    }

    /**
     * Sets the age beyond which a reported load is ignored. Default {@link
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
     * Sets the candidate count up to which every candidate is scored; above it the best of {@code
     * sampleSize} random candidates wins. Default {@value
     * CacheAwareConfig#DEFAULT_EXACT_SCAN_LIMIT}.
     *
     * @param candidates at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder exactScanLimit(int candidates) {
      if (candidates < 1) {
        throw new IllegalArgumentException("exactScanLimit must be >= 1, but was " + candidates);
      }
      this.exactScanLimit = candidates;
      return this;
    }

    /**
     * Sets how many random candidates are scored above the scan limit. Default {@value
     * CacheAwareConfig#DEFAULT_SAMPLE_SIZE}.
     *
     * @param candidates at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder sampleSize(int candidates) {
      if (candidates < 1) {
        throw new IllegalArgumentException("sampleSize must be >= 1, but was " + candidates);
      }
      this.sampleSize = candidates;
      return this;
    }

    /**
     * Sets the clock on which reported loads are stamped. Default {@code System::nanoTime}.
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
    public LeastTokenWorkConfig build() {
      return new LeastTokenWorkConfig(this);
    }
  }
}
