package io.flexroute;

import java.time.Duration;

/**
 * Limits on concurrent requests, and whether requests wait instead of failing when no worker can
 * take them.
 *
 * <p>{@link #maxConcurrentRequests()} bounds the requests the router runs at once and {@link
 * #maxConcurrentPerWorker()} those on any one worker (0 = unlimited). A request that finds the
 * limits reached, or no eligible worker at all (every worker unhealthy, open, parked, draining,
 * paused, updating its weights, or below the request's minimum weight version), waits in a bounded
 * queue ({@link #maxQueuedRequests()}) for at most {@link #maxQueueWait()}, or
 * less if its deadline comes first, and is woken as soon as a worker recovers, returns to rotation,
 * reports a new weight version, or a slot frees up.
 * With a queue of 0 it fails at once. Failures are typed: {@link RequestRejectedException} with
 * reason {@code QUEUE_FULL}, {@code WAIT_TIMEOUT} or {@code LIMIT_REACHED}, or {@link
 * NoEligibleWorkerException} when no worker serves the request at all.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AdmissionPolicy {

  private static final AdmissionPolicy DEFAULTS = builder().build();

  private final int maxConcurrentRequests;
  private final int maxConcurrentPerWorker;
  private final int maxQueuedRequests;
  private final Duration maxQueueWait;
  private final boolean fairPermits;

  private AdmissionPolicy(Builder b) {
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.maxConcurrentPerWorker = b.maxConcurrentPerWorker;
    this.maxQueuedRequests = b.maxQueuedRequests;
    this.maxQueueWait = b.maxQueueWait;
    this.fairPermits = b.fairPermits;
  }

  /**
   * The default policy: no limits and no waiting; a request that finds no eligible worker fails at
   * once.
   *
   * @return the default policy
   */
  public static AdmissionPolicy defaults() {
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

  /** @return the requests the router runs at once; 0 = unlimited */
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /** @return the requests any one worker runs at once; 0 = unlimited */
  public int maxConcurrentPerWorker() {
    return maxConcurrentPerWorker;
  }

  /** @return the requests that may wait at once; 0 = none wait */
  public int maxQueuedRequests() {
    return maxQueuedRequests;
  }

  /** @return the longest wait of one request */
  public Duration maxQueueWait() {
    return maxQueueWait;
  }

  /**
   * @return whether the router-wide permits go to waiting requests in arrival order (see {@link
   *     Builder#fairPermits})
   */
  public boolean fairPermits() {
    return fairPermits;
  }

  @Override
  public String toString() {
    return "AdmissionPolicy{maxConcurrentRequests=" + maxConcurrentRequests
        + ", maxConcurrentPerWorker=" + maxConcurrentPerWorker + ", maxQueuedRequests="
        + maxQueuedRequests + ", maxQueueWait=" + maxQueueWait + ", fairPermits=" + fairPermits
        + "}";
  }

  /** Builds an {@link AdmissionPolicy}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private int maxConcurrentRequests;
    private int maxConcurrentPerWorker;
    private int maxQueuedRequests;
    private Duration maxQueueWait = Duration.ofSeconds(30);
    private boolean fairPermits = true;

    private Builder() {}

    /**
     * Sets the requests the router runs at once. Default 0 (unlimited).
     *
     * @param n at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxConcurrentRequests(int n) {
      this.maxConcurrentRequests = Durations.atLeast(n, 0, "maxConcurrentRequests");
      return this;
    }

    /**
     * Sets the requests any one worker runs at once. Default 0 (unlimited).
     *
     * @param n at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxConcurrentPerWorker(int n) {
      this.maxConcurrentPerWorker = Durations.atLeast(n, 0, "maxConcurrentPerWorker");
      return this;
    }

    /**
     * Lets up to {@code n} requests wait, each for at most {@code maxWait}. Default: none wait.
     *
     * @param n at least 0
     * @param maxWait positive
     * @return this builder
     * @throws IllegalArgumentException if out of range (the wait longer than 3650 days included)
     */
    public Builder queue(int n, Duration maxWait) {
      this.maxQueuedRequests = Durations.atLeast(n, 0, "maxQueuedRequests");
      this.maxQueueWait = Durations.positive(maxWait, "maxQueueWait");
      return this;
    }

    /**
     * Sets whether the router-wide permits ({@link #maxConcurrentRequests}) go to waiting requests
     * in arrival order. Default {@code true}: while requests wait for a permit, a new request
     * queues behind them, even in the moment between a permit's release and the retry of the
     * waiter it woke. {@code false} lets a new request take a permit freed in that moment, as a
     * non-fair {@link java.util.concurrent.Semaphore} does: more throughput for very short
     * requests under a saturated limit (no hand-off to the router's executor per permit), at the
     * price of order; waiting requests still keep their places among themselves.
     *
     * @param fair whether permits go to waiting requests in arrival order
     * @return this builder
     */
    public Builder fairPermits(boolean fair) {
      this.fairPermits = fair;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the immutable policy
     */
    public AdmissionPolicy build() {
      return new AdmissionPolicy(this);
    }
  }
}
