package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI text completion request ({@code POST /v1/completions}) with a text or token-id prompt.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CompletionRequest extends OpenAiRequest {

  private final @Nullable String prompt;
  private final @Nullable TokenIds promptIds;
  private final @Nullable Integer logprobs;

  private CompletionRequest(Builder b) {
    super(b);
    this.prompt = b.prompt;
    this.promptIds = b.promptIds;
    this.logprobs = b.logprobs;
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
   * A builder initialised with this request's settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    copySamplingTo(b);
    b.prompt = prompt;
    b.promptIds = promptIds;
    b.logprobs = logprobs;
    return b;
  }

  @Override
  public Operation operation() {
    return Operation.COMPLETION;
  }

  @Override
  public @Nullable String promptText() {
    return prompt;
  }

  @Override
  public @Nullable TokenIds promptTokenIds() {
    return promptIds;
  }

  /** @return the text prompt, or null when the prompt is token ids */
  public @Nullable String prompt() {
    return prompt;
  }

  /** @return the number of logprob alternatives per position, or null */
  public @Nullable Integer logprobs() {
    return logprobs;
  }

  /** Describes the request without its prompt content. */
  @Override
  public String toString() {
    return "CompletionRequest{" + commonToString()
        + (prompt != null ? ", promptChars=" + prompt.length() : "")
        + (promptIds != null ? ", promptTokens=" + promptIds.size() : "")
        + samplingToString() + "}";
  }

  /** Builds a {@link CompletionRequest}. Not thread-safe. */
  public static final class Builder extends OpenAiRequest.Builder<Builder, CompletionRequest> {
    private @Nullable String prompt;
    private @Nullable TokenIds promptIds;
    private @Nullable Integer logprobs;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Sets the text prompt (and clears token ids).
     *
     * @param prompt a non-empty prompt
     * @return this builder
     * @throws IllegalArgumentException if empty
     */
    public Builder prompt(String prompt) {
      Objects.requireNonNull(prompt, "prompt");
      if (prompt.isEmpty()) {
        throw new IllegalArgumentException("prompt must not be empty");
      }
      this.prompt = prompt;
      this.promptIds = null;
      return this;
    }

    /**
     * Sets the prompt as token ids (and clears the text).
     *
     * @param ids a non-empty sequence
     * @return this builder
     * @throws IllegalArgumentException if empty
     */
    public Builder promptIds(TokenIds ids) {
      Objects.requireNonNull(ids, "promptIds");
      if (ids.isEmpty()) {
        throw new IllegalArgumentException("promptIds must not be empty");
      }
      this.promptIds = ids;
      this.prompt = null;
      return this;
    }

    /**
     * Asks for the logprobs of the top alternatives at each position.
     *
     * @param k in [0, 20]
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder logprobs(int k) {
      if (k < 0 || k > 20) {
        throw new IllegalArgumentException("logprobs must be in [0, 20], but was " + k);
      }
      this.logprobs = k;
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the immutable request
     * @throws IllegalArgumentException if no prompt was given (field {@code prompt})
     */
    @Override
    public CompletionRequest build() {
      if (prompt == null && promptIds == null) {
        throw new IllegalArgumentException("a prompt is required: set prompt or promptIds");
      }
      return new CompletionRequest(this);
    }
  }
}
