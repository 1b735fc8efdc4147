package io.flexroute.testkit.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Replay} runs a trace: on which fleet, how many conversations at once, how prompts
 * are given to the strategy. Build it with {@link #builder()}; {@link #defaults()} gives the
 * documented defaults.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class ReplayConfig {

  /**
   * Default limit of conversations in progress at once: 0, no limit (arrivals follow the trace).
   */
  public static final int DEFAULT_MAX_CONCURRENT_CONVERSATIONS = 0;

  /** Default interval at which in-flight counts are sampled for the load imbalance: 100 ms. */
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(100);

  /** Default seed of the replay's own random choices (the router's fallback): 1. */
  public static final long DEFAULT_SEED = 1;

  private static final ReplayConfig DEFAULTS = builder().build();

  private final FleetConfig fleet;
  private final int maxConcurrentConversations;
  private final PromptForm promptForm;
  private final boolean streaming;
  private final Duration sampleInterval;
  private final long seed;

  private ReplayConfig(Builder b) {
    this.fleet = b.fleet;
    this.maxConcurrentConversations = b.maxConcurrentConversations;
    this.promptForm = b.promptForm;
    this.streaming = b.streaming;
    this.sampleInterval = b.sampleInterval;
    this.seed = b.seed;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static ReplayConfig defaults() {
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
    b.fleet = fleet;
    b.maxConcurrentConversations = maxConcurrentConversations;
    b.promptForm = promptForm;
    b.streaming = streaming;
    b.sampleInterval = sampleInterval;
    b.seed = seed;
    return b;
  }

  /** @return the simulated fleet */
  public FleetConfig fleet() {
    return fleet;
  }

  /** @return the limit of conversations in progress at once, or 0 for none */
  public int maxConcurrentConversations() {
    return maxConcurrentConversations;
  }

  /** @return how prompts are given to the strategy */
  public PromptForm promptForm() {
    return promptForm;
  }

  /** @return whether requests are streams (their time to first chunk feeds the worker's average) */
  public boolean streaming() {
    return streaming;
  }

  /** @return the virtual interval at which in-flight counts are sampled */
  public Duration sampleInterval() {
    return sampleInterval;
  }

  /** @return the seed of the replay's own random choices */
  public long seed() {
    return seed;
  }

  @Override
  public String toString() {
    return "ReplayConfig{maxConcurrentConversations="
        + maxConcurrentConversations
        + ", promptForm="
        + promptForm
        + ", streaming="
        + streaming
        + ", sampleInterval="
        + sampleInterval
        + ", seed="
        + seed
        + ", fleet="
        + fleet
        + "}";
  }

  /** Builds a {@link ReplayConfig}. Not thread-safe. */
  public static final class Builder {
    private FleetConfig fleet = FleetConfig.defaults();
    private int maxConcurrentConversations = DEFAULT_MAX_CONCURRENT_CONVERSATIONS;
    private PromptForm promptForm = PromptForm.TOKEN_IDS;
    private boolean streaming = true;
    private Duration sampleInterval = DEFAULT_SAMPLE_INTERVAL;
    private long seed = DEFAULT_SEED;

    private Builder() {}

    /**
     * Sets the fleet. Default {@link FleetConfig#defaults()}.
     *
     * @param config the fleet
     * @return this builder
     */
    public Builder fleet(FleetConfig config) {
      this.fleet = Objects.requireNonNull(config, "fleet");
      return this;
    }

    /**
     * Limits the conversations in progress at once, as a rollout engine's or a load generator's
     * concurrency limit does: a conversation that arrives while the limit is reached starts when
     * another one ends. Default 0, no limit.
     *
     * @param conversations at least 0 (0 for no limit)
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxConcurrentConversations(int conversations) {
      if (conversations < 0) {
        throw new IllegalArgumentException(
            "maxConcurrentConversations must be >= 0, but was " + conversations);
      }
      this.maxConcurrentConversations = conversations;
      return this;
    }

    /**
     * Sets how prompts are given to the strategy. Default {@link PromptForm#TOKEN_IDS}.
     *
     * @param form the form
     * @return this builder
     */
    public Builder promptForm(PromptForm form) {
      this.promptForm = Objects.requireNonNull(form, "promptForm");
      return this;
    }

    /**
     * Sets whether requests are streams. As in the router, only streams record a time to first
     * chunk in the worker's view and in the strategy's feedback. Default true.
     *
     * @param streaming whether requests stream
     * @return this builder
     */
    public Builder streaming(boolean streaming) {
      this.streaming = streaming;
      return this;
    }

    /**
     * Sets the virtual interval at which in-flight counts are sampled. Default 100 ms.
     *
     * @param interval at least 1 millisecond
     * @return this builder
     * @throws IllegalArgumentException if shorter than 1 millisecond
     */
    public Builder sampleInterval(Duration interval) {
      Objects.requireNonNull(interval, "sampleInterval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(
            "sampleInterval must be at least 1 ms, but was " + interval);
      }
      this.sampleInterval = interval;
      return this;
    }

    /**
     * Sets the seed of the replay's own random choices (the least-loaded fallback after a faulty
     * selection, as the router makes). Default {@value #DEFAULT_SEED}.
     *
     * @param seed any value
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public ReplayConfig build() {
      return new ReplayConfig(this);
    }
  }
}
