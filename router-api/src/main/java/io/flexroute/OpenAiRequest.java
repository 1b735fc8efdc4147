package io.flexroute;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The sampling settings shared by OpenAI chat and text completion requests.
 *
 * <p>Unset values are not sent, so the worker's defaults apply. Instances are immutable and
 * thread-safe.
 */
public abstract sealed class OpenAiRequest extends InferenceRequest
    permits ChatRequest, CompletionRequest {

  private final @Nullable Integer maxTokens;
  private final @Nullable Double temperature;
  private final @Nullable Double topP;
  private final @Nullable Integer n;
  private final List<String> stop;
  private final @Nullable Long seed;
  private final @Nullable Double presencePenalty;
  private final @Nullable Double frequencyPenalty;
  private final boolean includeUsage;

  OpenAiRequest(Builder<?, ?> b) {
    super(b);
    this.maxTokens = b.maxTokens;
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.n = b.n;
    this.stop = List.copyOf(b.stop);
    this.seed = b.seed;
    this.presencePenalty = b.presencePenalty;
    this.frequencyPenalty = b.frequencyPenalty;
    this.includeUsage = b.includeUsage;
  }

  void copySamplingTo(Builder<?, ?> b) {
    copyCommonTo(b);
    b.maxTokens = maxTokens;
    b.temperature = temperature;
    b.topP = topP;
    b.n = n;
    b.stop.addAll(stop);
    b.seed = seed;
    b.presencePenalty = presencePenalty;
    b.frequencyPenalty = frequencyPenalty;
    b.includeUsage = includeUsage;
  }

  /** @return the maximum number of tokens to generate, or null for the worker's default */
  public @Nullable Integer maxTokens() {
    return maxTokens;
  }

  /** @return the temperature, or null */
  public @Nullable Double temperature() {
    return temperature;
  }

  /** @return nucleus sampling's probability mass, or null */
  public @Nullable Double topP() {
    return topP;
  }

  /** @return the number of choices, or null (1) */
  public @Nullable Integer n() {
    return n;
  }

  /** @return the stop strings; empty when unset */
  public List<String> stop() {
    return stop;
  }

  /** @return the sampling seed, or null */
  public @Nullable Long seed() {
    return seed;
  }

  /** @return the presence penalty, or null */
  public @Nullable Double presencePenalty() {
    return presencePenalty;
  }

  /** @return the frequency penalty, or null */
  public @Nullable Double frequencyPenalty() {
    return frequencyPenalty;
  }

  /**
   * Whether a stream asks for a final usage chunk ({@code stream_options.include_usage}). Default
   * {@code true}, so that token metrics work for streams too.
   *
   * @return the flag
   */
  public boolean includeUsage() {
    return includeUsage;
  }

  String samplingToString() {
    return ", maxTokens=" + maxTokens + ", temperature=" + temperature + ", topP=" + topP
        + ", n=" + n + ", seed=" + seed;
  }

  /**
   * The builder settings shared by chat and completion requests. Not thread-safe.
   *
   * @param <B> the concrete builder type
   * @param <R> the request type it builds
   */
  public abstract static sealed class Builder<B extends Builder<B, R>, R extends OpenAiRequest>
      extends InferenceRequest.Builder<B, R> permits ChatRequest.Builder, CompletionRequest.Builder {
    private @Nullable Integer maxTokens;
    private @Nullable Double temperature;
    private @Nullable Double topP;
    private @Nullable Integer n;
    private final List<String> stop = new ArrayList<>();
    private @Nullable Long seed;
    private @Nullable Double presencePenalty;
    private @Nullable Double frequencyPenalty;
    private boolean includeUsage = true;

    Builder() {}

    /**
     * Sets the maximum number of tokens to generate.
     *
     * @param maxTokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public B maxTokens(int maxTokens) {
      if (maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens must be >= 1, but was " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return self();
    }

    /**
     * Sets the temperature.
     *
     * @param temperature in [0, 2]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B temperature(double temperature) {
      if (!(temperature >= 0 && temperature <= 2)) {
        throw new IllegalArgumentException(
            "temperature must be in [0, 2], but was " + temperature);
      }
      this.temperature = temperature;
      return self();
    }

    /**
     * Sets nucleus sampling's probability mass.
     *
     * @param topP in (0, 1]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B topP(double topP) {
      if (!(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException("topP must be in (0, 1], but was " + topP);
      }
      this.topP = topP;
      return self();
    }

    /**
     * Sets the number of choices to generate.
     *
     * @param n from 1 to 128
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B n(int n) {
      if (n < 1 || n > 128) {
        throw new IllegalArgumentException("n must be in [1, 128], but was " + n);
      }
      this.n = n;
      return self();
    }

    /**
     * Adds stop strings.
     *
     * @param stop non-empty strings
     * @return this builder
     * @throws IllegalArgumentException if a string is empty
     */
    public B stop(String... stop) {
      for (String s : stop) {
        Objects.requireNonNull(s, "stop");
        if (s.isEmpty()) {
          throw new IllegalArgumentException("stop strings must not be empty");
        }
        this.stop.add(s);
      }
      return self();
    }

    /**
     * Sets the sampling seed.
     *
     * @param seed the seed
     * @return this builder
     */
    public B seed(long seed) {
      this.seed = seed;
      return self();
    }

    /**
     * Sets the presence penalty.
     *
     * @param penalty in [-2, 2]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B presencePenalty(double penalty) {
      this.presencePenalty = checkPenalty(penalty, "presencePenalty");
      return self();
    }

    /**
     * Sets the frequency penalty.
     *
     * @param penalty in [-2, 2]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public B frequencyPenalty(double penalty) {
      this.frequencyPenalty = checkPenalty(penalty, "frequencyPenalty");
      return self();
    }

    private static double checkPenalty(double value, String field) {
      if (!(value >= -2 && value <= 2)) {
        throw new IllegalArgumentException(field + " must be in [-2, 2], but was " + value);
      }
      return value;
    }

    /**
     * Sets whether a stream asks for a final usage chunk. Default {@code true}.
     *
     * @param includeUsage the flag
     * @return this builder
     */
    public B includeUsage(boolean includeUsage) {
      this.includeUsage = includeUsage;
      return self();
    }
  }
}
