package io.flexroute.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * How a control operation is broadcast: to which workers, how many at a time, how long each may
 * take, whether to stop at the first failure, and how long to let a worker's running requests
 * finish before its weights change.
 *
 * <pre>{@code
 * Broadcast.all()                                  // every worker, up to 16 at a time
 * Broadcast.rolling(WorkerSelector.model("qwen"))  // one at a time, stop at the first failure
 * Broadcast.builder().select(WorkerSelector.ids("a", "b")).parallelism(2)
 *     .timeout(Duration.ofMinutes(20)).drainTimeout(Duration.ofSeconds(30)).build()
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Broadcast {

  /** The most workers handled at once by default: 16. */
  public static final int DEFAULT_PARALLELISM = 16;

  /**
   * How long one worker's operation may take by default: 10 minutes, since loading weights or
   * waiting for a weight-update group's rendezvous can take minutes.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  private static final Broadcast ALL = builder().build();

  private final WorkerSelector selector;
  private final int parallelism;
  private final Duration timeout;
  private final boolean haltOnFailure;
  private final Duration drainTimeout;

  private Broadcast(Builder b) {
    this.selector = b.selector;
    this.parallelism = b.parallelism;
    this.timeout = b.timeout;
    this.haltOnFailure = b.haltOnFailure;
    this.drainTimeout = b.drainTimeout;
  }

  /**
   * Every worker, with the defaults.
   *
   * @return the broadcast settings
   */
  public static Broadcast all() {
    return ALL;
  }

  /**
   * The selected workers, with the defaults.
   *
   * @param selector the workers
   * @return the broadcast settings
   */
  public static Broadcast to(WorkerSelector selector) {
    return builder().select(selector).build();
  }

  /**
   * A rolling broadcast: the selected workers one at a time, stopping at the first failure (the
   * workers not reached yet are reported as {@link WorkerFailure.Cause#SKIPPED}). During a rolling
   * weight update the other workers keep serving.
   *
   * @param selector the workers
   * @return the broadcast settings
   */
  public static Broadcast rolling(WorkerSelector selector) {
    return builder().select(selector).parallelism(1).haltOnFailure(true).build();
  }

  /**
   * Starts a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the workers the operation goes to */
  public WorkerSelector selector() {
    return selector;
  }

  /** @return the most workers handled at once */
  public int parallelism() {
    return parallelism;
  }

  /** @return how long one worker's operation may take, drain and read-back included */
  public Duration timeout() {
    return timeout;
  }

  /** @return whether the first failure stops the broadcast from starting more workers */
  public boolean haltOnFailure() {
    return haltOnFailure;
  }

  /**
   * How long a weight update waits, after taking a worker out of rotation, for the requests the
   * router runs on it to finish before it sends the update; zero sends it at once (SGLang then
   * finishes or aborts them itself).
   *
   * @return the wait
   */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  @Override
  public String toString() {
    return "Broadcast{" + selector + ", parallelism=" + parallelism + ", timeout=" + timeout
        + ", haltOnFailure=" + haltOnFailure + ", drainTimeout=" + drainTimeout + "}";
  }

  /** Builds a {@link Broadcast}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    /** The longest timeout accepted: beyond any real one, and safe for arithmetic in nanoseconds. */
    private static final Duration MAX_DURATION = Duration.ofDays(3650);

    private WorkerSelector selector = WorkerSelector.all();
    private int parallelism = DEFAULT_PARALLELISM;
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean haltOnFailure;
    private Duration drainTimeout = Duration.ZERO;

    private Builder() {}

    /**
     * Sets the workers. Default {@link WorkerSelector#all()}.
     *
     * @param selector the selector
     * @return this builder
     */
    public Builder select(WorkerSelector selector) {
      this.selector = Objects.requireNonNull(selector, "selector");
      return this;
    }

    /**
     * Sets the most workers handled at once. Default {@value #DEFAULT_PARALLELISM}; 1 is a rolling
     * broadcast.
     *
     * @param parallelism at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, but was " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    /**
     * Sets how long one worker's operation may take. Default {@link #DEFAULT_TIMEOUT}.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive or longer than 3650 days
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "timeout must be positive and at most 3650 days, but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets whether the first failure stops the broadcast from starting more workers. Default
     * false: every selected worker is tried.
     *
     * @param halt whether to halt
     * @return this builder
     */
    public Builder haltOnFailure(boolean halt) {
      this.haltOnFailure = halt;
      return this;
    }

    /**
     * Sets how long a weight update waits for the router's running requests on a worker to finish
     * before sending the update. Default zero.
     *
     * @param drainTimeout zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative or longer than 3650 days
     */
    public Builder drainTimeout(Duration drainTimeout) {
      Objects.requireNonNull(drainTimeout, "drainTimeout");
      if (drainTimeout.isNegative() || drainTimeout.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            "drainTimeout must be between 0 and 3650 days, but was " + drainTimeout);
      }
      this.drainTimeout = drainTimeout;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public Broadcast build() {
      return new Broadcast(this);
    }
  }
}
