package io.flexroute;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link ChatRequest}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the completion id the worker gave
 * @param requestId the id the request ran under
 * @param workerId the worker that served it
 * @param model the model name the worker reported
 * @param choices the generated choices, in index order
 * @param usage the token counts, if the worker reported them
 * @param weightVersion the worker's weight version (SGLang {@code metadata.weight_version}), if any
 */
public record ChatCompletion(
    String id,
    String requestId,
    String workerId,
    @Nullable String model,
    List<Choice> choices,
    @Nullable TokenUsage usage,
    @Nullable String weightVersion) {

  /**
   * Validates the fields.
   *
   * @param id the completion id the worker gave
   * @param requestId the id the request ran under
   * @param workerId the worker that served it
   * @param model the model name the worker reported
   * @param choices the generated choices, in index order
   * @param usage the token counts, if the worker reported them
   * @param weightVersion the worker's weight version (SGLang {@code metadata.weight_version}), if
   *     any
   * @throws NullPointerException if a required field is null
   */
  public ChatCompletion {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    choices = List.copyOf(choices);
  }

  /**
   * The content of the first choice, the common single-answer case.
   *
   * @return the content, or null when there is no choice or it only called tools
   */
  public @Nullable String content() {
    return choices.isEmpty() ? null : choices.get(0).message().content();
  }

  /**
   * One generated answer. Immutable and thread-safe.
   *
   * @param index the choice's index
   * @param message the assistant message
   * @param reasoningContent the separated reasoning text, if the worker gave one
   * @param finishReason why generation stopped, if reported
   */
  public record Choice(
      int index,
      ChatMessage message,
      @Nullable String reasoningContent,
      @Nullable FinishReason finishReason) {

    /**
     * Validates the choice.
     *
     * @param index the choice's index
     * @param message the assistant message
     * @param reasoningContent the separated reasoning text, if the worker gave one
     * @param finishReason why generation stopped, if reported
     * @throws NullPointerException if the message is null
     */
    public Choice {
      Objects.requireNonNull(message, "message");
    }

    /** Sizes only: model output can echo prompts and private data, and must not reach logs. */
    @Override
    public String toString() {
      return "Choice{index=" + index + ", message=" + message + ", reasoningChars="
          + (reasoningContent == null ? 0 : reasoningContent.length()) + ", finishReason="
          + finishReason + "}";
    }
  }
}
