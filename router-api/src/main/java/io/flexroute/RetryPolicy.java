package io.flexroute;

import java.time.Duration;

/**
 * When and how the router tries a failed request again.
 *
 * <p>A request is retried only for worker faults ({@link WorkerException#isRetryable()}: connection
 * failures, unreadable answers, 408, 429, 5xx); a 4xx caused by the request is final. Each retry
 * chooses a worker again, excluding the workers that already failed this request, after an
 * exponential backoff with jitter ({@code min(initial * multiplier^(n-1), max)}, then a uniform
 * factor in {@code [1 - jitter, 1 + jitter]}), and only while the request's deadline leaves time
 * for it. A worker's {@code Retry-After} (on a 429 or a 503) parks that worker rather than
 * delaying the retry on another one.
 *
 * <p>A router-wide retry budget keeps retries from amplifying an outage: over the last ten seconds,
 * retries may not exceed {@link #budgetRatio()} of the requests plus {@link
 * #budgetMinPerSecond()} per second.
 *
 * <p>Streams are retried only until their first chunk reached the caller; a stream is never
 * replayed. Token-level SGLang streams ({@link GenerateRequest} with input ids) can instead be
 * resumed on another worker from the tokens already generated, when {@link #resumeTokenStreams()}
 * is on and the request sets {@code maxNewTokens} (whose remainder the continuation gets).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RetryPolicy {

  /** Attempts per request, the first one included, when none is set. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** The backoff before the first retry, when none is set. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(50);
  /** The longest backoff, when none is set. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  /** The backoff growth factor, when none is set. */
  public static final double DEFAULT_MULTIPLIER = 2.0;
  /** The jitter factor, when none is set. */
  public static final double DEFAULT_JITTER = 0.2;
  /** The retry budget as a fraction of requests, when none is set. */
  public static final double DEFAULT_BUDGET_RATIO = 0.2;
  /** The retries per second always allowed by the budget, when none is set. */
  public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 10;

  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy DISABLED = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final double jitter;
  private final double budgetRatio;
  private final int budgetMinPerSecond;
  private final boolean resumeTokenStreams;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.multiplier = b.multiplier;
    this.jitter = b.jitter;
    this.budgetRatio = b.budgetRatio;
    this.budgetMinPerSecond = b.budgetMinPerSecond;
    this.resumeTokenStreams = b.resumeTokenStreams;
  }

  /**
   * The default policy: 3 attempts, 50 ms initial backoff doubling up to 5 s, 20 % jitter, a budget
   * of 20 % of requests plus 10 retries per second, token-stream resumption on.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A policy that never retries.
   *
   * @return the policy
   */
  public static RetryPolicy disabled() {
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

  /** @return attempts per request, the first one included; 1 means no retries */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** @return the backoff before the first retry */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** @return the longest backoff */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** @return the backoff growth factor */
  public double multiplier() {
    return multiplier;
  }

  /** @return the jitter factor, from 0 to 1 */
  public double jitter() {
    return jitter;
  }

  /** @return the retry budget as a fraction of requests */
  public double budgetRatio() {
    return budgetRatio;
  }

  /** @return the retries per second the budget always allows */
  public int budgetMinPerSecond() {
    return budgetMinPerSecond;
  }

  /** @return whether token-level generate streams resume on another worker after a break */
  public boolean resumeTokenStreams() {
    return resumeTokenStreams;
  }

  /**
   * The backoff before a retry, before jitter.
   *
   * @param retry the retry's number, from 1
   * @return the backoff
   */
  public Duration backoff(int retry) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, retry - 1));
    return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
        + ", maxBackoff=" + maxBackoff + ", multiplier=" + multiplier + ", jitter=" + jitter
        + ", budgetRatio=" + budgetRatio + ", budgetMinPerSecond=" + budgetMinPerSecond
        + ", resumeTokenStreams=" + resumeTokenStreams + "}";
  }

  /** Builds a {@link RetryPolicy}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double multiplier = DEFAULT_MULTIPLIER;
    private double jitter = DEFAULT_JITTER;
    private double budgetRatio = DEFAULT_BUDGET_RATIO;
    private int budgetMinPerSecond = DEFAULT_BUDGET_MIN_PER_SECOND;
    private boolean resumeTokenStreams = true;

    private Builder() {}

    /**
     * Sets the attempts per request, the first one included. Default {@value
     * RetryPolicy#DEFAULT_MAX_ATTEMPTS}.
     *
     * @param maxAttempts at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = Durations.atLeast(maxAttempts, 1, "maxAttempts");
      return this;
    }

    /**
     * Sets the backoff before the first retry. Default 50 ms.
     *
     * @param backoff zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative or longer than 3650 days
     */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = Durations.nonNegative(backoff, "initialBackoff");
      return this;
    }

    /**
     * Sets the longest backoff. Default 5 s.
     *
     * @param backoff zero or more
     * @return this builder
     * @throws IllegalArgumentException if negative or longer than 3650 days
     */
    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = Durations.nonNegative(backoff, "maxBackoff");
      return this;
    }

    /**
     * Sets the backoff growth factor. Default {@value RetryPolicy#DEFAULT_MULTIPLIER}.
     *
     * @param multiplier at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1 or not finite
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be >= 1, but was " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the jitter factor. Default {@value RetryPolicy#DEFAULT_JITTER}.
     *
     * @param jitter from 0 to 1
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be in [0, 1], but was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the router-wide retry budget. Default 0.2 of requests plus 10 per second.
     *
     * @param ratio the fraction of requests that may be retried, from 0 to 10
     * @param minPerSecond retries per second always allowed, at least 0
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder budget(double ratio, int minPerSecond) {
      if (!(ratio >= 0 && ratio <= 10)) {
        throw new IllegalArgumentException("budget ratio must be in [0, 10], but was " + ratio);
      }
      this.budgetRatio = ratio;
      this.budgetMinPerSecond = Durations.atLeast(minPerSecond, 0, "budget minPerSecond");
      return this;
    }

    /**
     * Sets whether a broken token-level generate stream resumes on another worker. Default on.
     *
     * @param resume the flag
     * @return this builder
     */
    public Builder resumeTokenStreams(boolean resume) {
      this.resumeTokenStreams = resume;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     * @throws IllegalArgumentException if the initial backoff exceeds the maximum
     */
    public RetryPolicy build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff (" + initialBackoff + ") must not exceed maxBackoff (" + maxBackoff
                + ")");
      }
      return new RetryPolicy(this);
    }
  }
}
