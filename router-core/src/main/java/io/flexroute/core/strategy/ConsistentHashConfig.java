package io.flexroute.core.strategy;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The settings of {@link ConsistentHashStrategy}. Build them with {@link #builder()}; {@link
 * #defaults()} gives the documented defaults.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its
 * value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class ConsistentHashConfig {

  /** The default number of ring points per worker: 128. */
  public static final int DEFAULT_VIRTUAL_NODES = 128;

  /**
   * The default load bound: a worker takes a key only while its in-flight count is below 1.25 times
   * the fleet's mean (plus one), as SGLang's {@code prefix_hash} does.
   */
  public static final double DEFAULT_LOAD_FACTOR = 1.25;

  /** The default number of leading prompt tokens hashed when a request has no routing key: 256. */
  public static final int DEFAULT_PREFIX_TOKENS = 256;

  /** The default idle time after which a sticky session is forgotten: 4 hours (SGLang's). */
  public static final Duration DEFAULT_STICKY_IDLE = Duration.ofHours(4);

  /** The default bound on remembered sticky sessions: 1,000,000. */
  public static final long DEFAULT_MAX_SESSIONS = 1_000_000;

  /**
   * The default number of candidates up to which the mean load is computed exactly: 256; above it
   * the mean is estimated from {@link #DEFAULT_SAMPLE_SIZE} random candidates.
   */
  public static final int DEFAULT_EXACT_SCAN_LIMIT = 256;

  /** The default number of random candidates the mean load is estimated from: 64. */
  public static final int DEFAULT_SAMPLE_SIZE = 64;

  private static final ConsistentHashConfig DEFAULTS = builder().build();

  private final int virtualNodes;
  private final double loadFactor;
  private final int prefixTokens;
  private final Duration stickyIdle;
  private final long maxSessions;
  private final int exactScanLimit;
  private final int sampleSize;
  private final LongSupplier ticker;

  private ConsistentHashConfig(Builder b) {
    this.virtualNodes = b.virtualNodes;
    this.loadFactor = b.loadFactor;
    this.prefixTokens = b.prefixTokens;
    this.stickyIdle = b.stickyIdle;
    this.maxSessions = b.maxSessions;
    this.exactScanLimit = b.exactScanLimit;
    this.sampleSize = b.sampleSize;
    this.ticker = b.ticker;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static ConsistentHashConfig defaults() {
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

  /** @return the ring points per worker */
  public int virtualNodes() {
    return virtualNodes;
  }

  /** @return the load bound as a multiple of the mean in-flight count */
  public double loadFactor() {
    return loadFactor;
  }

  /** @return the leading prompt tokens hashed without a routing key */
  public int prefixTokens() {
    return prefixTokens;
  }

  /** @return the idle time after which a sticky session is forgotten */
  public Duration stickyIdle() {
    return stickyIdle;
  }

  /** @return the bound on remembered sticky sessions */
  public long maxSessions() {
    return maxSessions;
  }

  /** @return the candidate count up to which the mean load is exact */
  public int exactScanLimit() {
    return exactScanLimit;
  }

  /** @return the sample the mean load is estimated from above the scan limit */
  public int sampleSize() {
    return sampleSize;
  }

  /** @return the clock the session expiry runs on, in nanoseconds */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "ConsistentHashConfig{virtualNodes=" + virtualNodes + ", loadFactor=" + loadFactor
        + ", prefixTokens=" + prefixTokens + ", stickyIdle=" + stickyIdle + ", maxSessions="
        + maxSessions + ", exactScanLimit=" + exactScanLimit + ", sampleSize=" + sampleSize + "}";
  }

  /** Builds a {@link ConsistentHashConfig}. Not thread-safe. */
  public static final class Builder {
    private int virtualNodes = DEFAULT_VIRTUAL_NODES;
    private double loadFactor = DEFAULT_LOAD_FACTOR;
    private int prefixTokens = DEFAULT_PREFIX_TOKENS;
    private Duration stickyIdle = DEFAULT_STICKY_IDLE;
    private long maxSessions = DEFAULT_MAX_SESSIONS;
    private int exactScanLimit = DEFAULT_EXACT_SCAN_LIMIT;
    private int sampleSize = DEFAULT_SAMPLE_SIZE;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /**
     * Sets the ring points per worker; more spread keys more evenly. Default {@value
     * #DEFAULT_VIRTUAL_NODES}.
     *
     * @param points from 1 to 4096
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder virtualNodes(int points) {
      if (points < 1 || points > 4096) {
        throw new IllegalArgumentException("virtualNodes must be in [1, 4096], but was " + points);
      }
      this.virtualNodes = points;
      return this;
    }

    /**
     * Sets the load bound: a worker takes a new key only while its in-flight count is below {@code
     * ceil(loadFactor * (total + 1) / n)}; otherwise the key walks on along the ring. Default
     * {@value #DEFAULT_LOAD_FACTOR}.
     *
     * @param factor at least 1 and finite
     * @return this builder
     * @throws IllegalArgumentException if below 1 or not finite
     */
    public Builder loadFactor(double factor) {
      if (!(factor >= 1) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException(
            "loadFactor must be >= 1 and finite, but was " + factor);
      }
      this.loadFactor = factor;
      return this;
    }

    /**
     * Sets how many leading prompt tokens (or four times as many characters of a text prompt) are
     * hashed for requests without a routing key. Default {@value #DEFAULT_PREFIX_TOKENS}.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder prefixTokens(int tokens) {
      if (tokens < 1 || tokens > Integer.MAX_VALUE / 4) {
        throw new IllegalArgumentException("prefixTokens must be >= 1, but was " + tokens);
      }
      this.prefixTokens = tokens;
      return this;
    }

    /**
     * Sets the idle time after which a sticky session is forgotten. Default {@link
     * #DEFAULT_STICKY_IDLE}.
     *
     * @param idle positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder stickyIdle(Duration idle) {
      this.stickyIdle = ShortestTtftConfig.Builder.positive(idle, "stickyIdle");
      return this;
    }

    /**
     * Sets the bound on remembered sticky sessions (least recently used beyond it are dropped).
     * Default {@value #DEFAULT_MAX_SESSIONS}.
     *
     * @param sessions at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxSessions(long sessions) {
      if (sessions < 1) {
        throw new IllegalArgumentException("maxSessions must be >= 1, but was " + sessions);
      }
      this.maxSessions = sessions;
      return this;
    }

    /**
     * Sets the candidate count up to which the mean load is computed exactly. Default {@value
     * #DEFAULT_EXACT_SCAN_LIMIT}.
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
     * Sets how many random candidates the mean load is estimated from above the scan limit.
     * Default {@value #DEFAULT_SAMPLE_SIZE}.
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
     * Sets the clock sticky sessions expire on. Default {@code System::nanoTime}.
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
    public ConsistentHashConfig build() {
      return new ConsistentHashConfig(this);
    }
  }
}
