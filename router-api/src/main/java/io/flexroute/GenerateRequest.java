package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An SGLang-native generation request ({@code POST /generate}): a prompt given as text or as token
 * ids, sampling parameters, and whether to return logprobs.
 *
 * <p>Instances are immutable and thread-safe. A prompt is given as text or as token ids, never both:
 *
 * <pre>{@code
 * GenerateRequest req = GenerateRequest.builder()
 *     .inputIds(TokenIds.of(151644, 872, 198))
 *     .sampling(SamplingParams.builder().maxNewTokens(256).temperature(1.0).build())
 *     .returnLogprob(true)
 *     .build();
 * }</pre>
 */
public final class GenerateRequest extends InferenceRequest {

  private final @Nullable String text;
  private final @Nullable TokenIds inputIds;
  private final SamplingParams sampling;
  private final boolean returnLogprob;
  private final @Nullable Integer logprobStartLen;
  private final int topLogprobsNum;

  private GenerateRequest(Builder b) {
    super(b);
    this.text = b.text;
    this.inputIds = b.inputIds;
    this.sampling = b.sampling;
    this.returnLogprob = b.returnLogprob;
    this.logprobStartLen = b.logprobStartLen;
    this.topLogprobsNum = b.topLogprobsNum;
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
   * A request for the given text prompt with the worker's default sampling.
   *
   * @param text the prompt
   * @return the request
   * @throws IllegalArgumentException if the text is empty
   */
  public static GenerateRequest ofText(String text) {
    return builder().text(text).build();
  }

  /**
   * A builder initialised with this request's settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    copyCommonTo(b);
    b.text = text;
    b.inputIds = inputIds;
    b.sampling = sampling;
    b.returnLogprob = returnLogprob;
    b.logprobStartLen = logprobStartLen;
    b.topLogprobsNum = topLogprobsNum;
    return b;
  }

  @Override
  public Operation operation() {
    return Operation.GENERATE;
  }

  @Override
  public @Nullable String promptText() {
    return text;
  }

  @Override
  public @Nullable TokenIds promptTokenIds() {
    return inputIds;
  }

  /**
   * The text prompt.
   *
   * @return the text, or null when the prompt is given as token ids
   */
  public @Nullable String text() {
    return text;
  }

  /**
   * The prompt's token ids.
   *
   * @return the ids, or null when the prompt is given as text
   */
  public @Nullable TokenIds inputIds() {
    return inputIds;
  }

  /**
   * The sampling parameters.
   *
   * @return the parameters, never null
   */
  public SamplingParams sampling() {
    return sampling;
  }

  /**
   * Whether the worker should return the logprob of every output token.
   *
   * @return the flag
   */
  public boolean returnLogprob() {
    return returnLogprob;
  }

  /**
   * The prompt position from which prompt logprobs are returned as well; null means output only.
   *
   * @return the position, or null
   */
  public @Nullable Integer logprobStartLen() {
    return logprobStartLen;
  }

  /**
   * The number of alternative tokens returned per position; 0 for none.
   *
   * @return the number
   */
  public int topLogprobsNum() {
    return topLogprobsNum;
  }

  /** Describes the request without its prompt content. */
  @Override
  public String toString() {
    return "GenerateRequest{" + commonToString()
        + (text != null ? ", textChars=" + text.length() : "")
        + (inputIds != null ? ", inputTokens=" + inputIds.size() : "")
        + ", sampling=" + sampling + ", returnLogprob=" + returnLogprob + "}";
  }

  /** Builds a {@link GenerateRequest}. Not thread-safe. */
  public static final class Builder extends InferenceRequest.Builder<Builder, GenerateRequest> {
    private @Nullable String text;
    private @Nullable TokenIds inputIds;
    private SamplingParams sampling = SamplingParams.defaults();
    private boolean returnLogprob;
    private @Nullable Integer logprobStartLen;
    private int topLogprobsNum;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Sets the text prompt (and clears token ids).
     *
     * @param text a non-empty prompt
     * @return this builder
     * @throws IllegalArgumentException if the text is empty
     */
    public Builder text(String text) {
      Objects.requireNonNull(text, "text");
      if (text.isEmpty()) {
        throw new IllegalArgumentException("text must not be empty");
      }
      this.text = text;
      this.inputIds = null;
      return this;
    }

    /**
     * Sets the prompt as token ids (and clears the text).
     *
     * @param inputIds a non-empty sequence
     * @return this builder
     * @throws IllegalArgumentException if the sequence is empty
     */
    public Builder inputIds(TokenIds inputIds) {
      Objects.requireNonNull(inputIds, "inputIds");
      if (inputIds.isEmpty()) {
        throw new IllegalArgumentException("inputIds must not be empty");
      }
      this.inputIds = inputIds;
      this.text = null;
      return this;
    }

    /**
     * Sets the sampling parameters.
     *
     * @param sampling the parameters
     * @return this builder
     */
    public Builder sampling(SamplingParams sampling) {
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      return this;
    }

    /**
     * Asks for the logprob of every output token.
     *
     * @param returnLogprob whether to return logprobs
     * @return this builder
     */
    public Builder returnLogprob(boolean returnLogprob) {
      this.returnLogprob = returnLogprob;
      return this;
    }

    /**
     * Asks for prompt logprobs from a prompt position on (implies {@code returnLogprob}).
     *
     * @param start the first prompt position, at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder logprobStartLen(int start) {
      if (start < 0) {
        throw new IllegalArgumentException("logprobStartLen must be >= 0, but was " + start);
      }
      this.logprobStartLen = start;
      this.returnLogprob = true;
      return this;
    }

    /**
     * Asks for the top alternatives at each position; a positive {@code k} also turns on {@link
     * #returnLogprob} (SGLang computes the alternatives only with it).
     *
     * @param k at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder topLogprobsNum(int k) {
      if (k < 0) {
        throw new IllegalArgumentException("topLogprobsNum must be >= 0, but was " + k);
      }
      this.topLogprobsNum = k;
      if (k > 0) {
        this.returnLogprob = true;
      }
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the immutable request
     * @throws IllegalArgumentException if no prompt was given (field {@code text} or {@code
     *     inputIds})
     */
    @Override
    public GenerateRequest build() {
      if (text == null && inputIds == null) {
        throw new IllegalArgumentException("a prompt is required: set text or inputIds");
      }
      return new GenerateRequest(this);
    }
  }
}
