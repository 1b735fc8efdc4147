package io.flexroute;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One streamed chunk of a {@link CompletionRequest}'s answer.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the completion id the worker gave
 * @param requestId the id the request runs under
 * @param workerId the worker serving it
 * @param model the model name the worker reported
 * @param choices text deltas per choice; empty in the final usage chunk
 * @param usage the token counts, on the usage chunk only
 */
public record CompletionChunk(
    String id,
    String requestId,
    String workerId,
    @Nullable String model,
    List<TextCompletion.Choice> choices,
    @Nullable TokenUsage usage) {

  /**
   * Validates the fields.
   *
   * @param id the completion id the worker gave
   * @param requestId the id the request runs under
   * @param workerId the worker serving it
   * @param model the model name the worker reported
   * @param choices text deltas per choice; empty in the final usage chunk
   * @param usage the token counts, on the usage chunk only
   * @throws NullPointerException if a required field is null
   */
  public CompletionChunk {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    choices = List.copyOf(choices);
  }

  /**
   * The text delta of choice 0.
   *
   * @return the delta, or an empty string
   */
  public String text() {
    for (TextCompletion.Choice c : choices) {
      if (c.index() == 0) {
        return c.text();
      }
    }
    return "";
  }
}
