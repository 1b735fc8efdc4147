package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@link GenerateRequest}.
 *
 * <p>Instances are immutable and thread-safe. {@code toString()} leaves out the generated text.
 *
 * @param requestId the id the request ran under on the worker
 * @param workerId the worker that served it
 * @param text the decoded output, or null when the worker returned token ids only
 * @param outputIds the generated token ids
 * @param outputLogprobs one logprob per output token when logprobs were requested, else empty
 * @param finishReason why generation stopped
 * @param usage the token counts
 * @param weightVersion the worker's weight version when it reported one
 */
public record GenerateResult(
    String requestId,
    String workerId,
    @Nullable String text,
    TokenIds outputIds,
    TokenLogprobs outputLogprobs,
    FinishReason finishReason,
    TokenUsage usage,
    @Nullable String weightVersion) {

  /**
   * Validates the fields.
   *
   * @param requestId the id the request ran under on the worker
   * @param workerId the worker that served it
   * @param text the decoded output, or null when the worker returned token ids only
   * @param outputIds the generated token ids
   * @param outputLogprobs one logprob per output token when logprobs were requested, else empty
   * @param finishReason why generation stopped
   * @param usage the token counts
   * @param weightVersion the worker's weight version when it reported one
   * @throws NullPointerException if a required field is null
   */
  public GenerateResult {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(outputIds, "outputIds");
    Objects.requireNonNull(outputLogprobs, "outputLogprobs");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
  }

  /** Describes the result without the generated text. */
  @Override
  public String toString() {
    return "GenerateResult{requestId=" + requestId + ", workerId=" + workerId + ", outputTokens="
        + outputIds.size() + ", finishReason=" + finishReason.raw() + ", usage=" + usage
        + ", weightVersion=" + weightVersion + "}";
  }
}
