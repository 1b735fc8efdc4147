package io.flexroute.core.strategy;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The settings of {@link PeakEwmaStrategy}. Build them with {@link #builder()}; {@link #defaults()}
 * gives the documented defaults (those of Finagle's and Linkerd's peak EWMA balancer).
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its
 * value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class PeakEwmaConfig {

  /** The default decay time of the moving average: 10 seconds. */
  public static final Duration DEFAULT_DECAY_TIME = Duration.ofSeconds(10);

  /** The default number of random candidates compared per request: 2. */
  public static final int DEFAULT_CHOICES = 2;

  /** By default the latency signal is the time to the first chunk when a stream produced one. */
  public static final boolean DEFAULT_PREFER_TIME_TO_FIRST_CHUNK = true;

  private static final PeakEwmaConfig DEFAULTS = builder().build();

  private final Duration decayTime;
  private final int choices;
  private final boolean preferTimeToFirstChunk;
  private final LongSupplier ticker;

  private PeakEwmaConfig(Builder b) {
    this.decayTime = b.decayTime;
    this.choices = b.choices;
    this.preferTimeToFirstChunk = b.preferTimeToFirstChunk;
    this.ticker = b.ticker;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static PeakEwmaConfig defaults() {
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

  /** @return the decay time of the moving average */
  public Duration decayTime() {
    return decayTime;
  }

  /** @return the number of random candidates compared per request */
  public int choices() {
    return choices;
  }

  /** @return whether a stream's time to first chunk is the latency signal when there is one */
  public boolean preferTimeToFirstChunk() {
    return preferTimeToFirstChunk;
  }

  /** @return the clock, in nanoseconds */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "PeakEwmaConfig{decayTime=" + decayTime + ", choices=" + choices
        + ", preferTimeToFirstChunk=" + preferTimeToFirstChunk + "}";
  }

  /** Builds a {@link PeakEwmaConfig}. Not thread-safe. */
  public static final class Builder {
    private Duration decayTime = DEFAULT_DECAY_TIME;
    private int choices = DEFAULT_CHOICES;
    private boolean preferTimeToFirstChunk = DEFAULT_PREFER_TIME_TO_FIRST_CHUNK;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /**
     * Sets the decay time: how fast the average forgets a peak. Default {@link
     * #DEFAULT_DECAY_TIME}.
     *
     * @param decayTime positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder decayTime(Duration decayTime) {
      this.decayTime = ShortestTtftConfig.Builder.positive(decayTime, "decayTime");
      return this;
    }

    /**
     * Sets how many distinct random candidates are compared per request. Default {@value
     * #DEFAULT_CHOICES}.
     *
     * @param choices at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder choices(int choices) {
      if (choices < 1) {
        throw new IllegalArgumentException("choices must be >= 1, but was " + choices);
      }
      this.choices = choices;
      return this;
    }

    /**
     * Sets whether a stream's time to first chunk, rather than its whole duration, feeds the
     * average when there is one. Default {@value #DEFAULT_PREFER_TIME_TO_FIRST_CHUNK}.
     *
     * @param prefer whether to prefer the time to first chunk
     * @return this builder
     */
    public Builder preferTimeToFirstChunk(boolean prefer) {
      this.preferTimeToFirstChunk = prefer;
      return this;
    }

    /**
     * Sets the clock. Default {@code System::nanoTime}.
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
    public PeakEwmaConfig build() {
      return new PeakEwmaConfig(this);
    }
  }
}
