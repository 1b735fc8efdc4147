package io.flexroute.testkit.sim;

import java.util.Objects;

/**
 * The shape of a trace of multi-turn RL rollouts (agentic tool use, as GRPO-style training runs
 * them): a batch of prompts, each sampled several times; each prompt starts with one of a few
 * shared system prompts (instructions and tool definitions); each sample alternates model outputs
 * with tool outputs, each turn's prompt being the previous prompt, the output and the tool output.
 * Build it with {@link #builder()}; {@link #defaults()} gives the documented defaults (2,048
 * conversations). Lengths are drawn uniformly from their ranges.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class RolloutTraceConfig {

  /** Default number of distinct system prompts: 4. */
  public static final int DEFAULT_SYSTEM_PROMPTS = 4;

  /** Default system prompt length: 1,000 to 2,000 tokens. */
  public static final IntRange DEFAULT_SYSTEM_PROMPT_TOKENS = IntRange.of(1000, 2000);

  /** Default number of prompts (tasks) in the batch: 256. */
  public static final int DEFAULT_PROMPTS = 256;

  /** Default task prompt length, after the system prompt: 200 to 1,000 tokens. */
  public static final IntRange DEFAULT_PROMPT_TOKENS = IntRange.of(200, 1000);

  /** Default samples (rollouts) per prompt: 8. */
  public static final int DEFAULT_SAMPLES_PER_PROMPT = 8;

  /** Default turns per rollout: 2 to 8. */
  public static final IntRange DEFAULT_TURNS = IntRange.of(2, 8);

  /** Default model output per turn (reasoning and a tool call): 64 to 512 tokens. */
  public static final IntRange DEFAULT_OUTPUT_TOKENS = IntRange.of(64, 512);

  /** Default tool output appended after each turn but the last: 100 to 1,500 tokens. */
  public static final IntRange DEFAULT_TOOL_OUTPUT_TOKENS = IntRange.of(100, 1500);

  /** Default time a tool runs between two turns: 200 ms to 2 s. */
  public static final DurationRange DEFAULT_TOOL_LATENCY = DurationRange.ofMillis(200, 2000);

  private static final RolloutTraceConfig DEFAULTS = builder().build();

  private final int systemPrompts;
  private final IntRange systemPromptTokens;
  private final int prompts;
  private final IntRange promptTokens;
  private final int samplesPerPrompt;
  private final IntRange turns;
  private final IntRange outputTokens;
  private final IntRange toolOutputTokens;
  private final DurationRange toolLatency;

  private RolloutTraceConfig(Builder b) {
    this.systemPrompts = b.systemPrompts;
    this.systemPromptTokens = b.systemPromptTokens;
    this.prompts = b.prompts;
    this.promptTokens = b.promptTokens;
    this.samplesPerPrompt = b.samplesPerPrompt;
    this.turns = b.turns;
    this.outputTokens = b.outputTokens;
    this.toolOutputTokens = b.toolOutputTokens;
    this.toolLatency = b.toolLatency;
  }

  /**
   * The default settings.
   *
   * @return the defaults
   */
  public static RolloutTraceConfig defaults() {
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

  /** @return the number of distinct system prompts */
  public int systemPrompts() {
    return systemPrompts;
  }

  /** @return the system prompt length range */
  public IntRange systemPromptTokens() {
    return systemPromptTokens;
  }

  /** @return the number of prompts */
  public int prompts() {
    return prompts;
  }

  /** @return the task prompt length range */
  public IntRange promptTokens() {
    return promptTokens;
  }

  /** @return the samples per prompt */
  public int samplesPerPrompt() {
    return samplesPerPrompt;
  }

  /** @return the number of conversations: prompts times samples per prompt */
  public int conversations() {
    return prompts * samplesPerPrompt;
  }

  /** @return the turns per rollout range */
  public IntRange turns() {
    return turns;
  }

  /** @return the output length range */
  public IntRange outputTokens() {
    return outputTokens;
  }

  /** @return the tool output length range */
  public IntRange toolOutputTokens() {
    return toolOutputTokens;
  }

  /** @return the tool latency range */
  public DurationRange toolLatency() {
    return toolLatency;
  }

  @Override
  public String toString() {
    return "RolloutTraceConfig{systemPrompts="
        + systemPrompts
        + "x"
        + systemPromptTokens
        + ", prompts="
        + prompts
        + "x"
        + promptTokens
        + ", samplesPerPrompt="
        + samplesPerPrompt
        + ", turns="
        + turns
        + ", outputTokens="
        + outputTokens
        + ", toolOutputTokens="
        + toolOutputTokens
        + ", toolLatency="
        + toolLatency
        + "}";
  }

  /** Builds a {@link RolloutTraceConfig}. Not thread-safe. */
  public static final class Builder {
    private int systemPrompts = DEFAULT_SYSTEM_PROMPTS;
    private IntRange systemPromptTokens = DEFAULT_SYSTEM_PROMPT_TOKENS;
    private int prompts = DEFAULT_PROMPTS;
    private IntRange promptTokens = DEFAULT_PROMPT_TOKENS;
    private int samplesPerPrompt = DEFAULT_SAMPLES_PER_PROMPT;
    private IntRange turns = DEFAULT_TURNS;
    private IntRange outputTokens = DEFAULT_OUTPUT_TOKENS;
    private IntRange toolOutputTokens = DEFAULT_TOOL_OUTPUT_TOKENS;
    private DurationRange toolLatency = DEFAULT_TOOL_LATENCY;

    private Builder() {}

    /**
     * Sets the number of distinct system prompts and their length. Defaults {@value
     * #DEFAULT_SYSTEM_PROMPTS} and 1,000-2,000 tokens.
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
     * Sets the number of prompts and the length of each after its system prompt. Defaults {@value
     * #DEFAULT_PROMPTS} and 200-1,000 tokens.
     *
     * @param count at least 1
     * @param tokens the length range
     * @return this builder
     * @throws IllegalArgumentException if the count is below 1
     */
    public Builder prompts(int count, IntRange tokens) {
      this.prompts = TraceChecks.atLeast("prompts", count, 1);
      this.promptTokens = Objects.requireNonNull(tokens, "promptTokens");
      return this;
    }

    /**
     * Sets the samples per prompt. Default {@value #DEFAULT_SAMPLES_PER_PROMPT}.
     *
     * @param count at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder samplesPerPrompt(int count) {
      this.samplesPerPrompt = TraceChecks.atLeast("samplesPerPrompt", count, 1);
      return this;
    }

    /**
     * Sets the turns per rollout. Default 2-8.
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
     * Sets the output length per turn. Default 64-512 tokens.
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
     * Sets the tool output length appended after each turn but the last. Default 100-1,500 tokens.
     *
     * @param range the length range
     * @return this builder
     */
    public Builder toolOutputTokens(IntRange range) {
      this.toolOutputTokens = Objects.requireNonNull(range, "toolOutputTokens");
      return this;
    }

    /**
     * Sets the time a tool runs between two turns. Default 200 ms to 2 s.
     *
     * @param range the latency range
     * @return this builder
     */
    public Builder toolLatency(DurationRange range) {
      this.toolLatency = Objects.requireNonNull(range, "toolLatency");
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     * @throws IllegalArgumentException if there would be more than 1,000,000 conversations
     */
    public RolloutTraceConfig build() {
      if ((long) prompts * samplesPerPrompt > 1_000_000) {
        throw new IllegalArgumentException(
            "prompts * samplesPerPrompt must be at most 1,000,000, but was "
                + (long) prompts * samplesPerPrompt);
      }
      return new RolloutTraceConfig(this);
    }
  }
}
