package io.flexroute.testkit.sim;

import java.util.Objects;

/**
 * The shape of a trace of multi-turn chat sessions: sessions arrive at random (a Poisson process),
 * each starts with one of a few shared system prompts (one per application) and alternates user
 * messages with assistant responses, the user reading and typing between turns. Build it with
 * {@link #builder()}; {@link #defaults()} gives the documented defaults (2,048 sessions). Lengths
 * are drawn uniformly from their ranges.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class ChatTraceConfig {

  /** Default number of sessions: 2,048. */
  public static final int DEFAULT_SESSIONS = 2048;

  /** Default number of distinct system prompts: 8. */
  public static final int DEFAULT_SYSTEM_PROMPTS = 8;

  /** Default system prompt length: 200 to 1,500 tokens. */
  public static final IntRange DEFAULT_SYSTEM_PROMPT_TOKENS = IntRange.of(200, 1500);

  /** Default turns per session: 1 to 10. */
  public static final IntRange DEFAULT_TURNS = IntRange.of(1, 10);

  /** Default user message length: 20 to 400 tokens. */
  public static final IntRange DEFAULT_USER_TOKENS = IntRange.of(20, 400);

  /** Default response length: 50 to 600 tokens. */
  public static final IntRange DEFAULT_RESPONSE_TOKENS = IntRange.of(50, 600);

  /** Default time a user takes between a response and the next message: 2 to 20 seconds. */
  public static final DurationRange DEFAULT_THINK_TIME = DurationRange.ofMillis(2000, 20_000);

  /** Default session arrival rate: 8 sessions per second. */
  public static final double DEFAULT_ARRIVAL_RATE = 8;

  private static final ChatTraceConfig DEFAULTS = builder().build();

  private final int sessions;
  private final int systemPrompts;
  private final IntRange systemPromptTokens;
  private final IntRange turns;
  private final IntRange userTokens;
  private final IntRange responseTokens;
  private final DurationRange thinkTime;
  private final double arrivalRate;

  private ChatTraceConfig(Builder b) {
    this.sessions = b.sessions;
    this.systemPrompts = b.systemPrompts;
    this.systemPromptTokens = b.systemPromptTokens;
    this.turns = b.turns;
    this.userTokens = b.userTokens;
    this.responseTokens = b.responseTokens;
    this.thinkTime = b.thinkTime;
    this.arrivalRate = b.arrivalRate;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static ChatTraceConfig defaults() {
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

  /** @return the number of sessions */
  public int sessions() {
    return sessions;
  }

  /** @return the number of distinct system prompts */
  public int systemPrompts() {
    return systemPrompts;
  }

  /** @return the system prompt length range */
  public IntRange systemPromptTokens() {
    return systemPromptTokens;
  }

  /** @return the turns per session range */
  public IntRange turns() {
    return turns;
  }

  /** @return the user message length range */
  public IntRange userTokens() {
    return userTokens;
  }

  /** @return the response length range */
  public IntRange responseTokens() {
    return responseTokens;
  }

  /** @return the think time range */
  public DurationRange thinkTime() {
    return thinkTime;
  }

  /** @return sessions arriving per second, or 0 when all arrive at once */
  public double arrivalRate() {
    return arrivalRate;
  }

  @Override
  public String toString() {
    return "ChatTraceConfig{sessions="
        + sessions
        + ", systemPrompts="
        + systemPrompts
        + "x"
        + systemPromptTokens
        + ", turns="
        + turns
        + ", userTokens="
        + userTokens
        + ", responseTokens="
        + responseTokens
        + ", thinkTime="
        + thinkTime
        + ", arrivalRate="
        + arrivalRate
        + "}";
  }

  /** Builds a {@link ChatTraceConfig}. Not thread-safe. */
  public static final class Builder {
    private int sessions = DEFAULT_SESSIONS;
    private int systemPrompts = DEFAULT_SYSTEM_PROMPTS;
    private IntRange systemPromptTokens = DEFAULT_SYSTEM_PROMPT_TOKENS;
    private IntRange turns = DEFAULT_TURNS;
    private IntRange userTokens = DEFAULT_USER_TOKENS;
    private IntRange responseTokens = DEFAULT_RESPONSE_TOKENS;
    private DurationRange thinkTime = DEFAULT_THINK_TIME;
    private double arrivalRate = DEFAULT_ARRIVAL_RATE;

    private Builder() {}

    /**
     * Sets the number of sessions. Default {@value #DEFAULT_SESSIONS}.
     *
     * @param count from 1 to 1,000,000
     * @return this builder
     * @throws IllegalArgumentException if outside [1, 1000000]
     */
    public Builder sessions(int count) {
      this.sessions = TraceChecks.atLeast("sessions", count, 1);
      if (count > 1_000_000) {
        throw new IllegalArgumentException("sessions must be <= 1,000,000, but was " + count);
      }
      return this;
    }

    /**
     * Sets the number of distinct system prompts and their length. Defaults {@value
     * #DEFAULT_SYSTEM_PROMPTS} and 200-1,500 tokens.
     *
     * @param count at least 1
     * @param tokens the length range, at least 1 token
     * @return this builder
     * @throws IllegalArgumentException if the count is below 1 or the range allows 0 tokens
     */
    public Builder systemPrompts(int count, IntRange tokens) {
      this.systemPrompts = TraceChecks.atLeast("systemPrompts", count, 1);
      this.systemPromptTokens = TraceChecks.positive("systemPromptTokens", tokens);
      return this;
    }

    /**
     * Sets the turns per session. Default 1-10.
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
     * Sets the user message length. Default 20-400 tokens.
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
     * Sets the response length. Default 50-600 tokens.
     *
     * @param range at least 1 token
     * @return this builder
     * @throws IllegalArgumentException if the range allows 0 tokens
     */
    public Builder responseTokens(IntRange range) {
      this.responseTokens = TraceChecks.positive("responseTokens", range);
      return this;
    }

    /**
     * Sets the time between a response and the user's next message. Default 2-20 seconds.
     *
     * @param range the range
     * @return this builder
     */
    public Builder thinkTime(DurationRange range) {
      this.thinkTime = Objects.requireNonNull(range, "thinkTime");
      return this;
    }

    /**
     * Sets the mean session arrival rate of the Poisson process; 0 makes every session arrive at
     * the start. Default {@value #DEFAULT_ARRIVAL_RATE}.
     *
     * @param sessionsPerSecond at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder arrivalRate(double sessionsPerSecond) {
      this.arrivalRate = TraceChecks.rate("arrivalRate", sessionsPerSecond);
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public ChatTraceConfig build() {
      return new ChatTraceConfig(this);
    }
  }
}
