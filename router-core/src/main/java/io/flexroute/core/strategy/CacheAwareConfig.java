package io.flexroute.core.strategy;

/**
 * The settings of {@link CacheAwareStrategy}. Build them with {@link #builder()}; {@link
 * #defaults()} gives the documented defaults.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its
 * value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class CacheAwareConfig {

  /**
   * The default share of the prompt a worker's cached prefix must exceed for the strategy to follow
   * it: 0.5 (SGLang's documented default).
   */
  public static final double DEFAULT_CACHE_THRESHOLD = 0.5;

  /**
   * The default match tolerance: 0.05. Workers whose cached prefix is at most 5% of the prompt
   * shorter than the longest one count as holding it too, and the least loaded of them wins, so a
   * few extra matched characters (a shared system prompt followed by similar questions) do not
   * pull every request onto the one worker that happens to hold them.
   */
  public static final double DEFAULT_MATCH_TOLERANCE = 0.05;

  /**
   * The default absolute in-flight spread (most minus least loaded) above which the fleet may count
   * as imbalanced: 4 requests. SGLang uses 32 (64 on its command line), which lets a whole
   * low-concurrency fleet pile onto the one worker that holds a shared system prompt.
   */
  public static final int DEFAULT_BALANCE_ABS_THRESHOLD = 4;

  /**
   * The default relative spread (most loaded over least loaded) above which the fleet may count as
   * imbalanced: 1.5. The fleet is imbalanced when both thresholds are exceeded.
   */
  public static final double DEFAULT_BALANCE_REL_THRESHOLD = 1.5;

  /**
   * The default absolute part of the load window of an imbalanced fleet: workers with at most the
   * minimum in-flight count plus 2 plus {@link #DEFAULT_LOAD_WINDOW_REL} times the minimum keep
   * their cache affinity.
   */
  public static final int DEFAULT_LOAD_WINDOW_ABS = 2;

  /** The default relative part of the load window of an imbalanced fleet: 0.25 of the minimum. */
  public static final double DEFAULT_LOAD_WINDOW_REL = 0.25;

  /**
   * The default budget of each worker in the prefix tree: 2,097,152 elements (tokens, or
   * characters for text prompts), about a 500,000-token KV cache of text prompts.
   */
  public static final long DEFAULT_MAX_TREE_SIZE = 1L << 21;

  /**
   * The default number of candidates up to which the load is read from every candidate: 256. Above
   * it the load is estimated from {@link #DEFAULT_SAMPLE_SIZE} random candidates, so a selection
   * does not cost O(n).
   */
  public static final int DEFAULT_EXACT_SCAN_LIMIT = 256;

  /** The default number of random candidates read above the scan limit: 32. */
  public static final int DEFAULT_SAMPLE_SIZE = 32;

  private static final CacheAwareConfig DEFAULTS = builder().build();

  private final double cacheThreshold;
  private final double matchTolerance;
  private final int balanceAbsThreshold;
  private final double balanceRelThreshold;
  private final int loadWindowAbs;
  private final double loadWindowRel;
  private final long maxTreeSizePerWorker;
  private final int exactScanLimit;
  private final int sampleSize;

  private CacheAwareConfig(Builder b) {
    this.cacheThreshold = b.cacheThreshold;
    this.matchTolerance = b.matchTolerance;
    this.balanceAbsThreshold = b.balanceAbsThreshold;
    this.balanceRelThreshold = b.balanceRelThreshold;
    this.loadWindowAbs = b.loadWindowAbs;
    this.loadWindowRel = b.loadWindowRel;
    this.maxTreeSizePerWorker = b.maxTreeSizePerWorker;
    this.exactScanLimit = b.exactScanLimit;
    this.sampleSize = b.sampleSize;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static CacheAwareConfig defaults() {
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
    b.cacheThreshold = cacheThreshold;
    b.matchTolerance = matchTolerance;
    b.balanceAbsThreshold = balanceAbsThreshold;
    b.balanceRelThreshold = balanceRelThreshold;
    b.loadWindowAbs = loadWindowAbs;
    b.loadWindowRel = loadWindowRel;
    b.maxTreeSizePerWorker = maxTreeSizePerWorker;
    b.exactScanLimit = exactScanLimit;
    b.sampleSize = sampleSize;
    return b;
  }

  /** @return the share of the prompt a cached prefix must exceed to be followed */
  public double cacheThreshold() {
    return cacheThreshold;
  }

  /** @return the share of the prompt by which a cached prefix may fall short of the longest */
  public double matchTolerance() {
    return matchTolerance;
  }

  /** @return the absolute in-flight spread above which the fleet may be imbalanced */
  public int balanceAbsThreshold() {
    return balanceAbsThreshold;
  }

  /** @return the ratio of most to least loaded above which the fleet may be imbalanced */
  public double balanceRelThreshold() {
    return balanceRelThreshold;
  }

  /** @return the absolute part of the load window of an imbalanced fleet */
  public int loadWindowAbs() {
    return loadWindowAbs;
  }

  /** @return the part of the load window proportional to the minimum load */
  public double loadWindowRel() {
    return loadWindowRel;
  }

  /** @return each worker's budget in the prefix tree, in elements */
  public long maxTreeSizePerWorker() {
    return maxTreeSizePerWorker;
  }

  /** @return the candidate count up to which every candidate's load is read */
  public int exactScanLimit() {
    return exactScanLimit;
  }

  /** @return the number of random candidates read above the scan limit */
  public int sampleSize() {
    return sampleSize;
  }

  @Override
  public String toString() {
    return "CacheAwareConfig{cacheThreshold=" + cacheThreshold + ", matchTolerance="
        + matchTolerance + ", balanceAbsThreshold="
        + balanceAbsThreshold + ", balanceRelThreshold=" + balanceRelThreshold
        + ", loadWindowAbs=" + loadWindowAbs + ", loadWindowRel=" + loadWindowRel
        + ", maxTreeSizePerWorker=" + maxTreeSizePerWorker + ", exactScanLimit="
        + exactScanLimit + ", sampleSize=" + sampleSize + "}";
  }

  /** Builds a {@link CacheAwareConfig}. Not thread-safe. */
  public static final class Builder {
    private double cacheThreshold = DEFAULT_CACHE_THRESHOLD;
    private double matchTolerance = DEFAULT_MATCH_TOLERANCE;
    private int balanceAbsThreshold = DEFAULT_BALANCE_ABS_THRESHOLD;
    private double balanceRelThreshold = DEFAULT_BALANCE_REL_THRESHOLD;
    private int loadWindowAbs = DEFAULT_LOAD_WINDOW_ABS;
    private double loadWindowRel = DEFAULT_LOAD_WINDOW_REL;
    private long maxTreeSizePerWorker = DEFAULT_MAX_TREE_SIZE;
    private int exactScanLimit = DEFAULT_EXACT_SCAN_LIMIT;
    private int sampleSize = DEFAULT_SAMPLE_SIZE;

    private Builder() {}

    /**
     * Sets the share of the prompt a worker's cached prefix must exceed to be followed. Default
     * {@value #DEFAULT_CACHE_THRESHOLD}.
     *
     * @param threshold from 0 (follow any match) to 1 (never follow)
     * @return this builder
     * @throws IllegalArgumentException if outside [0, 1]
     */
    public Builder cacheThreshold(double threshold) {
      if (!(threshold >= 0 && threshold <= 1)) {
        throw new IllegalArgumentException(
            "cacheThreshold must be in [0, 1], but was " + threshold);
      }
      this.cacheThreshold = threshold;
      return this;
    }

    /**
     * Sets the share of the prompt by which a worker's cached prefix may fall short of the longest
     * one and still count as holding it; the least loaded of the workers holding it wins. 0 always
     * follows the longest match. Default {@value #DEFAULT_MATCH_TOLERANCE}.
     *
     * @param tolerance from 0 to 1
     * @return this builder
     * @throws IllegalArgumentException if outside [0, 1]
     */
    public Builder matchTolerance(double tolerance) {
      if (!(tolerance >= 0 && tolerance <= 1)) {
        throw new IllegalArgumentException(
            "matchTolerance must be in [0, 1], but was " + tolerance);
      }
      this.matchTolerance = tolerance;
      return this;
    }

    /**
     * Sets the absolute in-flight spread above which the fleet may count as imbalanced. Default
     * {@value #DEFAULT_BALANCE_ABS_THRESHOLD}.
     *
     * @param requests at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder balanceAbsThreshold(int requests) {
      if (requests < 0) {
        throw new IllegalArgumentException(
            "balanceAbsThreshold must be >= 0, but was " + requests);
      }
      this.balanceAbsThreshold = requests;
      return this;
    }

    /**
     * Sets the ratio of the most to the least in-flight count above which the fleet may count as
     * imbalanced. Default {@value #DEFAULT_BALANCE_REL_THRESHOLD}.
     *
     * @param ratio at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1 or not finite
     */
    public Builder balanceRelThreshold(double ratio) {
      if (!(ratio >= 1) || Double.isInfinite(ratio)) {
        throw new IllegalArgumentException(
            "balanceRelThreshold must be >= 1 and finite, but was " + ratio);
      }
      this.balanceRelThreshold = ratio;
      return this;
    }

    /**
     * Sets the load window of an imbalanced fleet: workers with at most {@code min + abs + rel *
     * min} requests in flight keep their cache affinity. Defaults {@value #DEFAULT_LOAD_WINDOW_ABS}
     * and {@value #DEFAULT_LOAD_WINDOW_REL}.
     *
     * @param abs the absolute part, at least 0
     * @param rel the part proportional to the minimum, at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if a part is out of range
     */
    public Builder loadWindow(int abs, double rel) {
      if (abs < 0) {
        throw new IllegalArgumentException("loadWindowAbs must be >= 0, but was " + abs);
      }
      if (!(rel >= 0) || Double.isInfinite(rel)) {
        throw new IllegalArgumentException(
            "loadWindowRel must be >= 0 and finite, but was " + rel);
      }
      this.loadWindowAbs = abs;
      this.loadWindowRel = rel;
      return this;
    }

    /**
     * Sets each worker's budget in the prefix tree; beyond it the worker's least recently used
     * prefixes are dropped. Default {@value #DEFAULT_MAX_TREE_SIZE}.
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
     * Sets the candidate count up to which every candidate's load is read. Default {@value
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
     * Sets how many random candidates are read above the scan limit. Default {@value
     * #DEFAULT_SAMPLE_SIZE}.
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
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public CacheAwareConfig build() {
      return new CacheAwareConfig(this);
    }
  }
}
