package io.flexroute;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * SGLang sampling parameters for a {@link GenerateRequest}.
 *
 * <p>Every setting is optional: an unset value is not sent, and the worker applies its own default
 * (which may come from the model's {@code generation_config.json}). For reproducible rollouts, set
 * the values explicitly. Instances are immutable and thread-safe.
 */
public final class SamplingParams {

  private static final SamplingParams DEFAULTS = builder().build();

  private final @Nullable Integer maxNewTokens;
  private final @Nullable Integer minNewTokens;
  private final @Nullable Double temperature;
  private final @Nullable Double topP;
  private final @Nullable Integer topK;
  private final @Nullable Double minP;
  private final @Nullable Double frequencyPenalty;
  private final @Nullable Double presencePenalty;
  private final @Nullable Double repetitionPenalty;
  private final List<String> stop;
  private final @Nullable TokenIds stopTokenIds;
  private final @Nullable Boolean ignoreEos;
  private final @Nullable Boolean skipSpecialTokens;
  private final @Nullable Integer n;
  private final @Nullable Long seed;
  private final @Nullable String jsonSchema;
  private final @Nullable String regex;
  private final @Nullable String ebnf;

  private SamplingParams(Builder b) {
    this.maxNewTokens = b.maxNewTokens;
    this.minNewTokens = b.minNewTokens;
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.topK = b.topK;
    this.minP = b.minP;
    this.frequencyPenalty = b.frequencyPenalty;
    this.presencePenalty = b.presencePenalty;
    this.repetitionPenalty = b.repetitionPenalty;
    this.stop = List.copyOf(b.stop);
    this.stopTokenIds = b.stopTokenIds;
    this.ignoreEos = b.ignoreEos;
    this.skipSpecialTokens = b.skipSpecialTokens;
    this.n = b.n;
    this.seed = b.seed;
    this.jsonSchema = b.jsonSchema;
    this.regex = b.regex;
    this.ebnf = b.ebnf;
  }

  /**
   * Parameters with nothing set: the worker's defaults apply.
   *
   * @return the empty parameters
   */
  public static SamplingParams defaults() {
    return DEFAULTS;
  }

  /**
   * Starts a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder initialised with these parameters.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxNewTokens = maxNewTokens;
    b.minNewTokens = minNewTokens;
    b.temperature = temperature;
    b.topP = topP;
    b.topK = topK;
    b.minP = minP;
    b.frequencyPenalty = frequencyPenalty;
    b.presencePenalty = presencePenalty;
    b.repetitionPenalty = repetitionPenalty;
    b.stop.addAll(stop);
    b.stopTokenIds = stopTokenIds;
    b.ignoreEos = ignoreEos;
    b.skipSpecialTokens = skipSpecialTokens;
    b.n = n;
    b.seed = seed;
    b.jsonSchema = jsonSchema;
    b.regex = regex;
    b.ebnf = ebnf;
    return b;
  }

  /** @return {@code max_new_tokens}, or null when unset (SGLang's default is 128) */
  public @Nullable Integer maxNewTokens() {
    return maxNewTokens;
  }

  /** @return {@code min_new_tokens}, or null */
  public @Nullable Integer minNewTokens() {
    return minNewTokens;
  }

  /** @return {@code temperature}, or null */
  public @Nullable Double temperature() {
    return temperature;
  }

  /** @return {@code top_p}, or null */
  public @Nullable Double topP() {
    return topP;
  }

  /** @return {@code top_k}, or null */
  public @Nullable Integer topK() {
    return topK;
  }

  /** @return {@code min_p}, or null */
  public @Nullable Double minP() {
    return minP;
  }

  /** @return {@code frequency_penalty}, or null */
  public @Nullable Double frequencyPenalty() {
    return frequencyPenalty;
  }

  /** @return {@code presence_penalty}, or null */
  public @Nullable Double presencePenalty() {
    return presencePenalty;
  }

  /** @return {@code repetition_penalty}, or null */
  public @Nullable Double repetitionPenalty() {
    return repetitionPenalty;
  }

  /** @return the stop strings; empty when unset */
  public List<String> stop() {
    return stop;
  }

  /** @return {@code stop_token_ids}, or null */
  public @Nullable TokenIds stopTokenIds() {
    return stopTokenIds;
  }

  /** @return {@code ignore_eos}, or null */
  public @Nullable Boolean ignoreEos() {
    return ignoreEos;
  }

  /** @return {@code skip_special_tokens}, or null */
  public @Nullable Boolean skipSpecialTokens() {
    return skipSpecialTokens;
  }

  /** @return {@code n} (parallel samples), or null */
  public @Nullable Integer n() {
    return n;
  }

  /** @return {@code sampling_seed}, or null */
  public @Nullable Long seed() {
    return seed;
  }

  /** @return {@code json_schema} (the schema as a JSON string), or null */
  public @Nullable String jsonSchema() {
    return jsonSchema;
  }

  /** @return {@code regex}, or null */
  public @Nullable String regex() {
    return regex;
  }

  /** @return {@code ebnf}, or null */
  public @Nullable String ebnf() {
    return ebnf;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SamplingParams p
        && Objects.equals(maxNewTokens, p.maxNewTokens)
        && Objects.equals(minNewTokens, p.minNewTokens)
        && Objects.equals(temperature, p.temperature)
        && Objects.equals(topP, p.topP)
        && Objects.equals(topK, p.topK)
        && Objects.equals(minP, p.minP)
        && Objects.equals(frequencyPenalty, p.frequencyPenalty)
        && Objects.equals(presencePenalty, p.presencePenalty)
        && Objects.equals(repetitionPenalty, p.repetitionPenalty)
        && stop.equals(p.stop)
        && Objects.equals(stopTokenIds, p.stopTokenIds)
        && Objects.equals(ignoreEos, p.ignoreEos)
        && Objects.equals(skipSpecialTokens, p.skipSpecialTokens)
        && Objects.equals(n, p.n)
        && Objects.equals(seed, p.seed)
        && Objects.equals(jsonSchema, p.jsonSchema)
        && Objects.equals(regex, p.regex)
        && Objects.equals(ebnf, p.ebnf);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxNewTokens, temperature, topP, topK, seed, n);
  }

  @Override
  public String toString() {
    return "SamplingParams{maxNewTokens=" + maxNewTokens + ", temperature=" + temperature
        + ", topP=" + topP + ", topK=" + topK + ", n=" + n + ", seed=" + seed + "}";
  }

  /** Builds {@link SamplingParams}; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private @Nullable Integer maxNewTokens;
    private @Nullable Integer minNewTokens;
    private @Nullable Double temperature;
    private @Nullable Double topP;
    private @Nullable Integer topK;
    private @Nullable Double minP;
    private @Nullable Double frequencyPenalty;
    private @Nullable Double presencePenalty;
    private @Nullable Double repetitionPenalty;
    private final List<String> stop = new ArrayList<>();
    private @Nullable TokenIds stopTokenIds;
    private @Nullable Boolean ignoreEos;
    private @Nullable Boolean skipSpecialTokens;
    private @Nullable Integer n;
    private @Nullable Long seed;
    private @Nullable String jsonSchema;
    private @Nullable String regex;
    private @Nullable String ebnf;

    private Builder() {}

    /**
     * Sets the maximum number of tokens to generate; 0 means prefill only.
     *
     * @param maxNewTokens at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxNewTokens(int maxNewTokens) {
      if (maxNewTokens < 0) {
        throw new IllegalArgumentException(
            "maxNewTokens must be >= 0, but was " + maxNewTokens);
      }
      this.maxNewTokens = maxNewTokens;
      return this;
    }

    /**
     * Sets the minimum number of tokens to generate.
     *
     * @param minNewTokens at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder minNewTokens(int minNewTokens) {
      if (minNewTokens < 0) {
        throw new IllegalArgumentException(
            "minNewTokens must be >= 0, but was " + minNewTokens);
      }
      this.minNewTokens = minNewTokens;
      return this;
    }

    /**
     * Sets the temperature; values below 1e-6 mean greedy decoding.
     *
     * @param temperature finite and at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder temperature(double temperature) {
      if (!Double.isFinite(temperature) || temperature < 0) {
        throw new IllegalArgumentException(
            "temperature must be finite and >= 0, but was " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /**
     * Sets nucleus sampling's probability mass.
     *
     * @param topP in (0, 1]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder topP(double topP) {
      if (!(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException("topP must be in (0, 1], but was " + topP);
      }
      this.topP = topP;
      return this;
    }

    /**
     * Sets top-k sampling; -1 means the whole vocabulary.
     *
     * @param topK -1 or at least 1
     * @return this builder
     * @throws IllegalArgumentException if 0 or below -1
     */
    public Builder topK(int topK) {
      if (topK != -1 && topK < 1) {
        throw new IllegalArgumentException("topK must be -1 or >= 1, but was " + topK);
      }
      this.topK = topK;
      return this;
    }

    /**
     * Sets min-p sampling.
     *
     * @param minP in [0, 1]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minP(double minP) {
      if (!(minP >= 0 && minP <= 1)) {
        throw new IllegalArgumentException("minP must be in [0, 1], but was " + minP);
      }
      this.minP = minP;
      return this;
    }

    /**
     * Sets the frequency penalty.
     *
     * @param penalty in [-2, 2]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder frequencyPenalty(double penalty) {
      this.frequencyPenalty = penalty(penalty, "frequencyPenalty");
      return this;
    }

    /**
     * Sets the presence penalty.
     *
     * @param penalty in [-2, 2]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder presencePenalty(double penalty) {
      this.presencePenalty = penalty(penalty, "presencePenalty");
      return this;
    }

    private static double penalty(double value, String field) {
      if (!(value >= -2 && value <= 2)) {
        throw new IllegalArgumentException(field + " must be in [-2, 2], but was " + value);
      }
      return value;
    }

    /**
     * Sets the repetition penalty; 1.0 turns it off.
     *
     * @param penalty in (0, 2]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder repetitionPenalty(double penalty) {
      if (!(penalty > 0 && penalty <= 2)) {
        throw new IllegalArgumentException(
            "repetitionPenalty must be in (0, 2], but was " + penalty);
      }
      this.repetitionPenalty = penalty;
      return this;
    }

    /**
     * Adds stop strings.
     *
     * @param stop non-empty strings
     * @return this builder
     * @throws IllegalArgumentException if a string is empty
     */
    public Builder stop(String... stop) {
      for (String s : stop) {
        Objects.requireNonNull(s, "stop");
        if (s.isEmpty()) {
          throw new IllegalArgumentException("stop strings must not be empty");
        }
        this.stop.add(s);
      }
      return this;
    }

    /**
     * Sets extra stop token ids.
     *
     * @param ids the ids
     * @return this builder
     */
    public Builder stopTokenIds(TokenIds ids) {
      this.stopTokenIds = Objects.requireNonNull(ids, "stopTokenIds");
      return this;
    }

    /**
     * Keeps generating past end-of-sequence.
     *
     * @param ignoreEos whether to ignore EOS
     * @return this builder
     */
    public Builder ignoreEos(boolean ignoreEos) {
      this.ignoreEos = ignoreEos;
      return this;
    }

    /**
     * Sets whether special tokens are left out of the decoded text.
     *
     * @param skip whether to skip them
     * @return this builder
     */
    public Builder skipSpecialTokens(boolean skip) {
      this.skipSpecialTokens = skip;
      return this;
    }

    /**
     * Sets the number of parallel samples. With n greater than 1 the worker returns one result per
     * sample; {@link io.flexroute.Router#generate} accepts only n = 1.
     *
     * @param n at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder n(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("n must be >= 1, but was " + n);
      }
      this.n = n;
      return this;
    }

    /**
     * Sets the per-request sampling seed.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Constrains the output to a JSON schema (given as a JSON string).
     *
     * @param jsonSchema the schema
     * @return this builder
     */
    public Builder jsonSchema(String jsonSchema) {
      this.jsonSchema = Objects.requireNonNull(jsonSchema, "jsonSchema");
      return this;
    }

    /**
     * Constrains the output to a regular expression.
     *
     * @param regex the expression
     * @return this builder
     */
    public Builder regex(String regex) {
      this.regex = Objects.requireNonNull(regex, "regex");
      return this;
    }

    /**
     * Constrains the output to an EBNF grammar.
     *
     * @param ebnf the grammar
     * @return this builder
     */
    public Builder ebnf(String ebnf) {
      this.ebnf = Objects.requireNonNull(ebnf, "ebnf");
      return this;
    }

    /**
     * Builds the parameters.
     *
     * @return the immutable parameters
     * @throws IllegalArgumentException if minNewTokens exceeds maxNewTokens or several output
     *     constraints are set
     */
    public SamplingParams build() {
      if (minNewTokens != null && maxNewTokens != null && minNewTokens > maxNewTokens) {
        throw new IllegalArgumentException(
            "minNewTokens (" + minNewTokens + ") must not exceed maxNewTokens (" + maxNewTokens
                + ")");
      }
      int constraints =
          (jsonSchema != null ? 1 : 0) + (regex != null ? 1 : 0) + (ebnf != null ? 1 : 0);
      if (constraints > 1) {
        throw new IllegalArgumentException(
            "at most one of jsonSchema, regex and ebnf may be set");
      }
      return new SamplingParams(this);
    }
  }
}
