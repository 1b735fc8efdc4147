package io.flexroute;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One streamed chunk of a {@link ChatRequest}'s answer: content deltas per choice, and the usage on
 * the final usage chunk when {@link ChatRequest#includeUsage()} is set.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the completion id the worker gave
 * @param requestId the id the request runs under
 * @param workerId the worker serving it
 * @param model the model name the worker reported
 * @param deltas the choice deltas; empty in the final usage chunk
 * @param usage the token counts, set on the usage chunk only
 */
public record ChatChunk(
    String id,
    String requestId,
    String workerId,
    @Nullable String model,
    List<Delta> deltas,
    @Nullable TokenUsage usage) {

  /**
   * Validates the fields.
   *
   * @param id the completion id the worker gave
   * @param requestId the id the request runs under
   * @param workerId the worker serving it
   * @param model the model name the worker reported
   * @param deltas the choice deltas; empty in the final usage chunk
   * @param usage the token counts, set on the usage chunk only
   * @throws NullPointerException if a required field is null
   */
  public ChatChunk {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    deltas = List.copyOf(deltas);
  }

  /**
   * The content delta of choice 0, the common single-answer case.
   *
   * @return the delta, or an empty string
   */
  public String content() {
    for (Delta d : deltas) {
      if (d.index() == 0 && d.content() != null) {
        return d.content();
      }
    }
    return "";
  }

  /**
   * What one choice added in this chunk. Immutable and thread-safe.
   *
   * @param index the choice's index
   * @param role the role, on a choice's first chunk
   * @param content the content added, if any
   * @param reasoningContent the reasoning text added, if any
   * @param toolCalls tool call fragments
   * @param finishReason set on the choice's last chunk
   */
  public record Delta(
      int index,
      @Nullable String role,
      @Nullable String content,
      @Nullable String reasoningContent,
      List<ToolCallDelta> toolCalls,
      @Nullable FinishReason finishReason) {

    /**
     * Copies the tool call fragments.
     * @param index the choice's index
     * @param role the role, on a choice's first chunk
     * @param content the content added, if any
     * @param reasoningContent the reasoning text added, if any
     * @param toolCalls tool call fragments
     * @param finishReason set on the choice's last chunk
     */
    public Delta {
      toolCalls = List.copyOf(toolCalls);
    }

    /** Sizes only: model output can echo prompts and private data, and must not reach logs. */
    @Override
    public String toString() {
      return "Delta{index=" + index + ", role=" + role + ", chars="
          + (content == null ? 0 : content.length()) + ", reasoningChars="
          + (reasoningContent == null ? 0 : reasoningContent.length()) + ", toolCalls="
          + toolCalls.size() + ", finishReason=" + finishReason + "}";
    }
  }

  /**
   * A fragment of a streamed tool call; concatenate the {@code argumentsDelta} of one index.
   * Immutable and thread-safe.
   *
   * @param index the tool call's index within the choice
   * @param id the call id, on the first fragment
   * @param name the function name, on the first fragment
   * @param argumentsDelta a piece of the JSON arguments
   */
  public record ToolCallDelta(
      int index, @Nullable String id, @Nullable String name, @Nullable String argumentsDelta) {

    /** Without the arguments, which can carry user data. */
    @Override
    public String toString() {
      return "ToolCallDelta{index=" + index + ", id=" + id + ", name=" + name + ", argumentChars="
          + (argumentsDelta == null ? 0 : argumentsDelta.length()) + "}";
    }
  }
}
