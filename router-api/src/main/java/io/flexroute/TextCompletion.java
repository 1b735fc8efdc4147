package io.flexroute;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link CompletionRequest}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the completion id the worker gave
 * @param requestId the id the request ran under
 * @param workerId the worker that served it
 * @param model the model name the worker reported
 * @param choices the generated choices, in index order
 * @param usage the token counts, if reported
 * @param weightVersion the worker's weight version, if reported
 */
public record TextCompletion(
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
   * @param usage the token counts, if reported
   * @param weightVersion the worker's weight version, if reported
   * @throws NullPointerException if a required field is null
   */
  public TextCompletion {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    choices = List.copyOf(choices);
  }

  /**
   * The text of the first choice.
   *
   * @return the text, or an empty string when there is no choice
   */
  public String text() {
    return choices.isEmpty() ? "" : choices.get(0).text();
  }

  /**
   * One generated answer, or in a stream one answer's delta. Immutable and thread-safe.
   *
   * @param index the choice's index
   * @param text the text (a delta in a stream)
   * @param finishReason why generation stopped, if reported
   */
  public record Choice(int index, String text, @Nullable FinishReason finishReason) {

    /**
     * Validates the choice.
     *
     * @param index the choice's index
     * @param text the text (a delta in a stream)
     * @param finishReason why generation stopped, if reported
     * @throws NullPointerException if the text is null
     */
    public Choice {
      Objects.requireNonNull(text, "text");
    }

    /** Sizes only: model output can echo prompts and private data, and must not reach logs. */
    @Override
    public String toString() {
      return "Choice{index=" + index + ", chars=" + text.length() + ", finishReason="
          + finishReason + "}";
    }
  }
}
