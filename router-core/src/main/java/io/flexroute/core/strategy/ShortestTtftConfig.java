package io.flexroute.core.strategy;

import io.flexroute.Worker;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The settings of {@link ShortestTtftStrategy}. Build them with {@link #builder()}; {@link
 * #defaults()} gives the documented defaults.
 *
 * <p>Instances are immutable and thread-safe when the functions given to the builder are. The
 * builder is not thread-safe; each setter checks its value and throws {@link
 * IllegalArgumentException} naming the setting.
 */
public final class ShortestTtftConfig {

  /**
   * The default cost of a cached prompt token relative to a computed one is {@code 1 - 0.7}: the
   * estimate subtracts 0.7 times the cached tokens (FlexLB's constant).
   */
  public static final double DEFAULT_CACHED_TOKEN_DISCOUNT = 0.7;

  /**
   * The default prefill rate of every worker: 8,000 prompt tokens per second. The virtual prefill
   * queue drains at this rate: a rate below the engines' real one makes queued prefill weigh more
   * than it takes and trades cache hits for spreading, which is the strategy's only balance, as it
   * has no term for decode load; the engines' true rate gives the best time to first token and
   * the least balance.
   */
  public static final double DEFAULT_PREFILL_TOKENS_PER_SECOND = 8_000;

  /**
   * The default share of the candidates, best estimates first, among which the least recently
   * selected is chosen: 0.3 (FlexLB), at least one candidate.
   */
  public static final double DEFAULT_POOL_RATIO = 0.3;

  /**
   * The default similarity band: pool members whose estimate is within 0.1 of the best estimate
   * (or half the pool's standard deviation, if larger) count as equally good.
   */
  public static final double DEFAULT_SIMILARITY_RATIO = 0.1;

  /** The default age beyond which a worker's reported load is ignored: 5 seconds. */
  public static final Duration DEFAULT_MAX_REPORT_AGE = Duration.ofSeconds(5);

  /**
   * The default time after which a routed request that never completed leaves the ledger: 10
   * minutes (a request the router routed but never dispatched, for example).
   */
  public static final Duration DEFAULT_LEDGER_TIMEOUT = Duration.ofMinutes(10);

  /**
   * The default prefill work assumed for each request a worker reports waiting, before this
   * strategy has sent that worker any request to average: 1,024 tokens.
   */
  public static final int DEFAULT_REQUEST_TOKENS = 1024;

  /**
   * The default number of candidates up to which every candidate is estimated: 64. Each estimate
   * reads the worker's ledger and reported load (about 40 ns of memory accesses per candidate), so
   * above 64 candidates a sample plus the holders of the longest cached prefix is estimated
   * instead.
   */
  public static final int DEFAULT_EXACT_SCAN_LIMIT = 64;

  /**
   * The default load bound: a worker is chosen only while its in-flight requests are below
   * {@code ceil(1.25 * (total + 1) / n)}, the bound {@link ConsistentHashConfig} uses.
   */
  public static final double DEFAULT_LOAD_FACTOR = 1.25;

  /** The largest {@code exactScanLimit}: 1,048,575 candidates are ranked at most. */
  public static final int MAX_SCAN_LIMIT = (1 << 20) - 1;

  private static final ShortestTtftConfig DEFAULTS = builder().build();

  private final double cachedTokenDiscount;
  private final ToDoubleFunction<Worker> prefillRate;
  private final double poolRatio;
  private final double similarityRatio;
  private final Duration maxReportAge;
  private final Duration ledgerTimeout;
  private final int defaultRequestTokens;
  private final long maxTreeSizePerWorker;
  private final int exactScanLimit;
  private final int sampleSize;
  private final double loadFactor;
  private final LongSupplier ticker;

  private ShortestTtftConfig(Builder b) {
    this.cachedTokenDiscount = b.cachedTokenDiscount;
    this.prefillRate = b.prefillRate;
    this.poolRatio = b.poolRatio;
    this.similarityRatio = b.similarityRatio;
    this.maxReportAge = b.maxReportAge;
    this.ledgerTimeout = b.ledgerTimeout;
    this.defaultRequestTokens = b.defaultRequestTokens;
    this.maxTreeSizePerWorker = b.maxTreeSizePerWorker;
    this.exactScanLimit = b.exactScanLimit;
    this.sampleSize = b.sampleSize;
    this.loadFactor = b.loadFactor;
    this.ticker = b.ticker;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static ShortestTtftConfig defaults() {
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

  /**
   * A builder with these settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.cachedTokenDiscount = cachedTokenDiscount;
    b.prefillRate = prefillRate;
    b.poolRatio = poolRatio;
    b.similarityRatio = similarityRatio;
    b.maxReportAge = maxReportAge;
    b.ledgerTimeout = ledgerTimeout;
    b.defaultRequestTokens = defaultRequestTokens;
    b.maxTreeSizePerWorker = maxTreeSizePerWorker;
    b.exactScanLimit = exactScanLimit;
    b.sampleSize = sampleSize;
    b.loadFactor = loadFactor;
    b.ticker = ticker;
    return b;
  }

  /** @return the fraction of a cached token's cost the estimate saves */
  public double cachedTokenDiscount() {
    return cachedTokenDiscount;
  }

  /** @return each worker's prefill rate in prompt tokens per second */
  public ToDoubleFunction<Worker> prefillRate() {
    return prefillRate;
  }

  /** @return the share of the candidates in the pool */
  public double poolRatio() {
    return poolRatio;
  }

  /** @return the relative width of the similarity band */
  public double similarityRatio() {
    return similarityRatio;
  }

  /** @return the age beyond which a reported load is ignored */
  public Duration maxReportAge() {
    return maxReportAge;
  }

  /** @return the time after which an uncompleted request leaves the ledger */
  public Duration ledgerTimeout() {
    return ledgerTimeout;
  }

  /** @return the prefill work assumed per waiting request before the ledger has a mean */
  public int defaultRequestTokens() {
    return defaultRequestTokens;
  }

  /** @return each worker's budget in the prefix tree, in elements */
  public long maxTreeSizePerWorker() {
    return maxTreeSizePerWorker;
  }

  /** @return the candidate count up to which every candidate is estimated */
  public int exactScanLimit() {
    return exactScanLimit;
  }

  /** @return the number of random candidates estimated above the scan limit */
  public int sampleSize() {
    return sampleSize;
  }

  /**
   * @return the load bound as a multiple of the mean in-flight count ({@code infinity}: no bound)
   */
  public double loadFactor() {
    return loadFactor;
  }

  /**
   * @return the clock, in nanoseconds, that reported loads are stamped with and the prefill queue
   *     drains on
   */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "ShortestTtftConfig{cachedTokenDiscount=" + cachedTokenDiscount + ", poolRatio="
        + poolRatio + ", similarityRatio=" + similarityRatio + ", maxReportAge=" + maxReportAge
        + ", ledgerTimeout=" + ledgerTimeout + ", maxTreeSizePerWorker=" + maxTreeSizePerWorker
        + ", exactScanLimit=" + exactScanLimit + ", sampleSize=" + sampleSize + ", loadFactor="
        + loadFactor + "}";
  }

  /** Builds a {@link ShortestTtftConfig}. Not thread-safe. */
  public static final class Builder {
    private double cachedTokenDiscount = DEFAULT_CACHED_TOKEN_DISCOUNT;
    private ToDoubleFunction<Worker> prefillRate = w -> DEFAULT_PREFILL_TOKENS_PER_SECOND;
    private double poolRatio = DEFAULT_POOL_RATIO;
    private double similarityRatio = DEFAULT_SIMILARITY_RATIO;
    private Duration maxReportAge = DEFAULT_MAX_REPORT_AGE;
    private Duration ledgerTimeout = DEFAULT_LEDGER_TIMEOUT;
    private int defaultRequestTokens = DEFAULT_REQUEST_TOKENS;
    private long maxTreeSizePerWorker = CacheAwareConfig.DEFAULT_MAX_TREE_SIZE;
    private int exactScanLimit = DEFAULT_EXACT_SCAN_LIMIT;
    private int sampleSize = CacheAwareConfig.DEFAULT_SAMPLE_SIZE;
    private double loadFactor = DEFAULT_LOAD_FACTOR;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /**
     * Sets the fraction of a token's prefill cost that being cached saves in each candidate's
     * estimate: below 1 it hedges against cache the prefix tree credits a worker with but the
     * worker has evicted. The virtual prefill queue counts only uncached tokens whatever this is.
     * Default {@value #DEFAULT_CACHED_TOKEN_DISCOUNT}.
     *
     * @param discount from 0 to 1
     * @return this builder
     * @throws IllegalArgumentException if outside [0, 1]
     */
    public Builder cachedTokenDiscount(double discount) {
      if (!(discount >= 0 && discount <= 1)) {
        throw new IllegalArgumentException(
            "cachedTokenDiscount must be in [0, 1], but was " + discount);
      }
      this.cachedTokenDiscount = discount;
      return this;
    }

    /**
     * Sets the same prefill rate for every worker. Default {@value
     * #DEFAULT_PREFILL_TOKENS_PER_SECOND}.
     *
     * @param tokensPerSecond positive and finite
     * @return this builder
     * @throws IllegalArgumentException if not positive and finite
     */
    public Builder prefillRate(double tokensPerSecond) {
      checkRate(tokensPerSecond);
      this.prefillRate = w -> tokensPerSecond;
      return this;
    }

    /**
     * Sets a prefill rate per worker (for fleets of unlike GPUs); read once per worker each time
     * the eligible set changes. A rate that is not positive and finite counts as {@value
     * #DEFAULT_PREFILL_TOKENS_PER_SECOND}.
     *
     * @param tokensPerSecond the rate of a worker, in prompt tokens per second
     * @return this builder
     */
    public Builder prefillRate(ToDoubleFunction<Worker> tokensPerSecond) {
      this.prefillRate = Objects.requireNonNull(tokensPerSecond, "prefillRate");
      return this;
    }

    private static void checkRate(double rate) {
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException(
            "prefillRate must be positive and finite, but was " + rate);
      }
    }

    /**
     * Sets the share of the candidates (best estimates first, at least one) among which the least
     * recently selected is chosen. Default {@value #DEFAULT_POOL_RATIO}.
     *
     * @param ratio in (0, 1]
     * @return this builder
     * @throws IllegalArgumentException if outside (0, 1]
     */
    public Builder poolRatio(double ratio) {
      if (!(ratio > 0 && ratio <= 1)) {
        throw new IllegalArgumentException("poolRatio must be in (0, 1], but was " + ratio);
      }
      this.poolRatio = ratio;
      return this;
    }

    /**
     * Sets the relative width of the similarity band within the pool. Default {@value
     * #DEFAULT_SIMILARITY_RATIO}.
     *
     * @param ratio at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder similarityRatio(double ratio) {
      if (!(ratio >= 0) || Double.isInfinite(ratio)) {
        throw new IllegalArgumentException(
            "similarityRatio must be >= 0 and finite, but was " + ratio);
      }
      this.similarityRatio = ratio;
      return this;
    }

    /**
     * Sets the age beyond which a worker's reported load is ignored. Default {@link
     * #DEFAULT_MAX_REPORT_AGE}.
     *
     * @param age positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxReportAge(Duration age) {
      this.maxReportAge = positive(age, "maxReportAge");
      return this;
    }

    /**
     * Sets the time after which a routed request that never completed leaves the ledger. Default
     * {@link #DEFAULT_LEDGER_TIMEOUT}.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder ledgerTimeout(Duration timeout) {
      this.ledgerTimeout = positive(timeout, "ledgerTimeout");
      return this;
    }

    /**
     * Sets the prefill work assumed for each request a worker reports waiting, before this
     * strategy has sent that worker any request to average. Default {@value
     * #DEFAULT_REQUEST_TOKENS}.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder defaultRequestTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("defaultRequestTokens must be >= 1, but was " + tokens);
      }
      this.defaultRequestTokens = tokens;
      return this;
    }

    /**
     * Sets each worker's budget in the prefix tree. Default {@value
     * CacheAwareConfig#DEFAULT_MAX_TREE_SIZE}.
     *
     * @param elements tokens or characters, at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxTreeSizePerWorker(long elements) {
      if (elements < 1) {
        throw new IllegalArgumentException(
            "maxTreeSizePerWorker must be >= 1, but was " + elements);
      }
      this.maxTreeSizePerWorker = elements;
      return this;
    }

    /**
     * Sets the candidate count up to which every candidate is estimated; above it, {@code
     * sampleSize} random candidates and the holders of the longest cached prefix are. Default
     * {@value ShortestTtftConfig#DEFAULT_EXACT_SCAN_LIMIT}.
     *
     * @param candidates from 1 to {@value ShortestTtftConfig#MAX_SCAN_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder exactScanLimit(int candidates) {
      if (candidates < 1 || candidates > MAX_SCAN_LIMIT) {
        throw new IllegalArgumentException(
            "exactScanLimit must be in [1, " + MAX_SCAN_LIMIT + "], but was " + candidates);
      }
      this.exactScanLimit = candidates;
      return this;
    }

    /**
     * Sets how many random candidates are estimated above the scan limit. Default {@value
     * CacheAwareConfig#DEFAULT_SAMPLE_SIZE}.
     *
     * @param candidates from 1 to 65,536
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder sampleSize(int candidates) {
      if (candidates < 1 || candidates > 65_536) {
        throw new IllegalArgumentException(
            "sampleSize must be in [1, 65536], but was " + candidates);
      }
      this.sampleSize = candidates;
      return this;
    }

    /**
     * Sets the load bound: a worker is chosen only while its in-flight requests (the router's own
     * counts) are below {@code ceil(loadFactor * (total + 1) / n)}, where {@code total} is the
     * candidates' in-flight requests and {@code n} their number (above the scan limit, both
     * estimated from the evaluated candidates); when no candidate is below it, all are eligible.
     * The estimate of time to first token sees only prefill work, so without a bound the workers
     * that hold the most conversations keep collecting their decodes. {@code
     * Double.POSITIVE_INFINITY} turns the bound off. Default {@value #DEFAULT_LOAD_FACTOR}.
     *
     * @param factor at least 1, or positive infinity
     * @return this builder
     * @throws IllegalArgumentException if below 1 or NaN
     */
    public Builder loadFactor(double factor) {
      if (!(factor >= 1)) {
        throw new IllegalArgumentException(
            "loadFactor must be >= 1 (or infinite), but was " + factor);
      }
      this.loadFactor = factor;
      return this;
    }

    /**
     * Sets the clock, in nanoseconds, on which reported loads are stamped, the virtual prefill
     * queue drains and the ledger ages. Default {@code System::nanoTime} (the router's clock);
     * simulations pass their virtual clock, or the queue drains in host time.
     *
     * @param ticker the clock
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
    public ShortestTtftConfig build() {
      return new ShortestTtftConfig(this);
    }

    static Duration positive(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, but was " + d);
      }
      return d;
    }
  }
}
