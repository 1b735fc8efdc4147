package io.flexroute.testkit.sim;

import java.util.Objects;

/**
 * The shape of a trace in which every conversation starts with one and the same system prompt,
 * followed by its own user message: a batch of classification, extraction or evaluation requests
 * with shared instructions. It is the case where a naive cache-aware router sends everything to the
 * one worker that first cached the system prompt. Build it with {@link #builder()}; {@link
 * #defaults()} gives the documented defaults (2,048 single-turn conversations, all due at the
 * start). Lengths are drawn uniformly from their ranges.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class SharedPromptTraceConfig {

  /** Default number of conversations: 2,048. */
  public static final int DEFAULT_CONVERSATIONS = 2048;

  /** Default length of the shared system prompt: 2,000 tokens. */
  public static final int DEFAULT_SYSTEM_PROMPT_TOKENS = 2000;

  /** Default user message length: 100 to 1,000 tokens. */
  public static final IntRange DEFAULT_USER_TOKENS = IntRange.of(100, 1000);

  /** Default output length: 64 to 512 tokens. */
  public static final IntRange DEFAULT_OUTPUT_TOKENS = IntRange.of(64, 512);

  /** Default turns per conversation: 1. */
  public static final IntRange DEFAULT_TURNS = IntRange.fixed(1);

  /** Default time between a response and a follow-up message: 1 to 5 seconds. */
  public static final DurationRange DEFAULT_THINK_TIME = DurationRange.ofMillis(1000, 5000);

  /** Default arrival rate: 0, every conversation due at the start. */
  public static final double DEFAULT_ARRIVAL_RATE = 0;

  private static final SharedPromptTraceConfig DEFAULTS = builder().build();

  private final int conversations;
  private final int systemPromptTokens;
  private final IntRange userTokens;
  private final IntRange outputTokens;
  private final IntRange turns;
  private final DurationRange thinkTime;
  private final double arrivalRate;

  private SharedPromptTraceConfig(Builder b) {
    this.conversations = b.conversations;
    this.systemPromptTokens = b.systemPromptTokens;
    this.userTokens = b.userTokens;
    this.outputTokens = b.outputTokens;
    this.turns = b.turns;
    this.thinkTime = b.thinkTime;
    this.arrivalRate = b.arrivalRate;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static SharedPromptTraceConfig defaults() {
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

  /** @return the number of conversations */
  public int conversations() {
    return conversations;
  }

  /** @return the length of the shared system prompt */
  public int systemPromptTokens() {
    return systemPromptTokens;
  }

  /** @return the user message length range */
  public IntRange userTokens() {
    return userTokens;
  }

  /** @return the output length range */
  public IntRange outputTokens() {
    return outputTokens;
  }

  /** @return the turns per conversation range */
  public IntRange turns() {
    return turns;
  }

  /** @return the time between a response and a follow-up message */
  public DurationRange thinkTime() {
    return thinkTime;
  }

  /** @return conversations arriving per second, or 0 when all arrive at once */
  public double arrivalRate() {
    return arrivalRate;
  }

  @Override
  public String toString() {
    return "SharedPromptTraceConfig{conversations="
        + conversations
        + ", systemPromptTokens="
        + systemPromptTokens
        + ", userTokens="
        + userTokens
        + ", outputTokens="
        + outputTokens
        + ", turns="
        + turns
        + ", thinkTime="
        + thinkTime
        + ", arrivalRate="
        + arrivalRate
        + "}";
  }

  /** Builds a {@link SharedPromptTraceConfig}. Not thread-safe. */
  public static final class Builder {
    private int conversations = DEFAULT_CONVERSATIONS;
    private int systemPromptTokens = DEFAULT_SYSTEM_PROMPT_TOKENS;
    private IntRange userTokens = DEFAULT_USER_TOKENS;
    private IntRange outputTokens = DEFAULT_OUTPUT_TOKENS;
    private IntRange turns = DEFAULT_TURNS;
    private DurationRange thinkTime = DEFAULT_THINK_TIME;
    private double arrivalRate = DEFAULT_ARRIVAL_RATE;

    private Builder() {}

    /**
     * Sets the number of conversations. Default {@value #DEFAULT_CONVERSATIONS}.
     *
     * @param count from 1 to 1,000,000
     * @return this builder
     * @throws IllegalArgumentException if outside [1, 1000000]
     */
    public Builder conversations(int count) {
      this.conversations = TraceChecks.atLeast("conversations", count, 1);
      if (count > 1_000_000) {
        throw new IllegalArgumentException("conversations must be <= 1,000,000, but was " + count);
      }
      return this;
    }

    /**
     * Sets the length of the shared system prompt. Default {@value #DEFAULT_SYSTEM_PROMPT_TOKENS}.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder systemPromptTokens(int tokens) {
      this.systemPromptTokens = TraceChecks.atLeast("systemPromptTokens", tokens, 1);
      return this;
    }

    /**
     * Sets the user message length (of every turn). Default 100-1,000 tokens.
     *
     * @param range at least 1 token
     * @return this builder
     * @throws IllegalArgumentException if the range allows 0 tokens
     */
    public Builder userTokens(IntRange range) {
      this.userTokens = TraceChecks.positive("userTokens", range);
      return this;
    }

    /**
     * Sets the output length. Default 64-512 tokens.
     *
     * @param range at least 1 token
     * @return this builder
     * @throws IllegalArgumentException if the range allows 0 tokens
     */
    public Builder outputTokens(IntRange range) {
      this.outputTokens = TraceChecks.positive("outputTokens", range);
      return this;
    }

    /**
     * Sets the turns per conversation. Default 1.
     *
     * @param range at least 1 turn
     * @return this builder
     * @throws IllegalArgumentException if the range allows 0 turns
     */
    public Builder turns(IntRange range) {
      this.turns = TraceChecks.positive("turns", range);
      return this;
    }

    /**
     * Sets the time between a response and a follow-up message. Default 1-5 seconds.
     *
     * @param range the range
     * @return this builder
     */
    public Builder thinkTime(DurationRange range) {
      this.thinkTime = Objects.requireNonNull(range, "thinkTime");
      return this;
    }

    /**
     * Sets the mean arrival rate of the Poisson process; 0 makes every conversation due at the
     * start. Default 0.
     *
     * @param perSecond at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder arrivalRate(double perSecond) {
      this.arrivalRate = TraceChecks.rate("arrivalRate", perSecond);
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public SharedPromptTraceConfig build() {
      return new SharedPromptTraceConfig(this);
    }
  }
}
