package io.flexroute.radix;

import io.flexroute.SamplingParams;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One turn of an RL rollout for {@link RolloutClient}: the whole conversation text so far (system
 * prompt, earlier turns with the model's answers, tool results, and the new user or tool message),
 * the session it belongs to, and how to sample.
 *
 * <p>Instances are immutable and thread-safe. Build one with {@link #builder(String)}:
 *
 * <pre>{@code
 * RolloutRequest turn = RolloutRequest.builder(previous.fullText() + toolResult)
 *     .sessionId("traj-17")
 *     .sampling(SamplingParams.builder().maxNewTokens(512).temperature(1.0).build())
 *     .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class RolloutRequest {

  private final String text;
  private final @Nullable String sessionId;
  private final @Nullable String model;
  private final SamplingParams sampling;
  private final @Nullable Duration timeout;
  private final @Nullable String minWeightVersion;

  private RolloutRequest(Builder b) {
    this.text = b.text;
    this.sessionId = b.sessionId;
    this.model = b.model;
    this.sampling = b.sampling;
    this.timeout = b.timeout;
    this.minWeightVersion = b.minWeightVersion;
  }

  /**
   * Starts a request for a conversation text.
   *
   * @param text the whole conversation text so far, not empty
   * @return a new builder
   * @throws IllegalArgumentException if the text is empty
   */
  public static Builder builder(String text) {
    return new Builder(text);
  }

  /**
   * A request for a conversation text with the worker's default sampling and no session.
   *
   * @param text the whole conversation text so far, not empty
   * @return the request
   * @throws IllegalArgumentException if the text is empty
   */
  public static RolloutRequest of(String text) {
    return builder(text).build();
  }

  /**
   * A builder initialised with this request's settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(text);
    b.sessionId = sessionId;
    b.model = model;
    b.sampling = sampling;
    b.timeout = timeout;
    b.minWeightVersion = minWeightVersion;
    return b;
  }

  /**
   * Returns the whole conversation text so far.
   *
   * @return the text, never empty
   */
  public String text() {
    return text;
  }

  /**
   * Returns the session (trajectory, conversation) id, sent as the request's routing key so that
   * an affinity strategy keeps the session on the worker that holds its KV cache.
   *
   * @return the id, or null
   */
  public @Nullable String sessionId() {
    return sessionId;
  }

  /**
   * Returns the model the turn needs; null means any worker.
   *
   * @return the model, or null
   */
  public @Nullable String model() {
    return model;
  }

  /**
   * Returns the sampling parameters.
   *
   * @return the parameters
   */
  public SamplingParams sampling() {
    return sampling;
  }

  /**
   * Returns the time one generation attempt may take; null means the router's default.
   *
   * @return the timeout, or null
   */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /**
   * Returns the oldest weight version that may generate this turn: the router sends it only to
   * workers known to have that version or a newer one ({@link
   * io.flexroute.InferenceRequest#minWeightVersion()}), so that after a weight update a trainer
   * can ask for on-policy turns.
   *
   * @return the worker's version string, or null for any
   */
  public @Nullable String minWeightVersion() {
    return minWeightVersion;
  }

  /** Describes the request by sizes only: never the text or the session id. */
  @Override
  public String toString() {
    return "RolloutRequest{textChars=" + text.length() + ", session=" + (sessionId != null)
        + ", model=" + model + ", sampling=" + sampling
        + (minWeightVersion != null ? ", minWeightVersion=" + minWeightVersion : "") + "}";
  }

  /**
   * Builds a {@link RolloutRequest}.
   *
   * <p>Not thread-safe. Each setter validates its argument and throws {@link
   * IllegalArgumentException} naming the field.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String text;
    private @Nullable String sessionId;
    private @Nullable String model;
    private SamplingParams sampling = SamplingParams.defaults();
    private @Nullable Duration timeout;
    private @Nullable String minWeightVersion;

    private Builder(String text) {
      Objects.requireNonNull(text, "text");
      if (text.isEmpty()) {
        throw new IllegalArgumentException("text must not be empty");
      }
      this.text = text;
    }

    /**
     * Sets the session id, sent as the routing key. Default: none.
     *
     * @param sessionId the id, or null
     * @return this builder
     * @throws IllegalArgumentException if the id is blank
     */
    public Builder sessionId(@Nullable String sessionId) {
      if (sessionId != null && sessionId.isBlank()) {
        throw new IllegalArgumentException("sessionId must not be blank");
      }
      this.sessionId = sessionId;
      return this;
    }

    /**
     * Sets the model the turn needs. Default: any worker.
     *
     * @param model the model name, or null
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder model(@Nullable String model) {
      if (model != null && model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    /**
     * Sets the sampling parameters. Default {@link SamplingParams#defaults()}.
     *
     * @param sampling the parameters; {@code n} must be unset or 1
     * @return this builder
     * @throws IllegalArgumentException if {@code n} is above 1
     */
    public Builder sampling(SamplingParams sampling) {
      Objects.requireNonNull(sampling, "sampling");
      Integer n = sampling.n();
      if (n != null && n != 1) {
        throw new IllegalArgumentException(
            "sampling.n must be 1 (a rollout turn is one sample; send one request per sample), "
                + "but was " + n);
      }
      this.sampling = sampling;
      return this;
    }

    /**
     * Sets the time one generation attempt may take. Default: the router's.
     *
     * @param timeout a positive duration, or null
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(@Nullable Duration timeout) {
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Requires a worker with this weight version or a newer one. Default: any.
     *
     * @param version the worker's version string (such as {@code "8"}), or null
     * @return this builder
     * @throws IllegalArgumentException if the version is blank
     */
    public Builder minWeightVersion(@Nullable String version) {
      if (version != null && version.isBlank()) {
        throw new IllegalArgumentException("minWeightVersion must not be blank");
      }
      this.minWeightVersion = version;
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public RolloutRequest build() {
      return new RolloutRequest(this);
    }
  }
}
