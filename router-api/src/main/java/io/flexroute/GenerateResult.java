package io.flexroute;

import java.util.List;
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
 * @param weightVersion the worker's weight version when it reported one (with spans, the version
 *     of the last span)
 * @param weightVersionSpans the weights that generated each run of output tokens, when the worker
 *     reported them ({@code meta_info.weight_versions}); empty otherwise
 */
public record GenerateResult(
    String requestId,
    String workerId,
    @Nullable String text,
    TokenIds outputIds,
    TokenLogprobs outputLogprobs,
    FinishReason finishReason,
    TokenUsage usage,
    @Nullable String weightVersion,
    List<WeightVersionSpan> weightVersionSpans) {

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
   * @param weightVersionSpans the weights that generated each run of output tokens, or empty
   * @throws NullPointerException if a required field is null
   * @throws IllegalArgumentException if the spans overlap, are out of order or reach past the
   *     output tokens
   */
  public GenerateResult {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(outputIds, "outputIds");
    Objects.requireNonNull(outputLogprobs, "outputLogprobs");
    Objects.requireNonNull(finishReason, "finishReason");
    Objects.requireNonNull(usage, "usage");
    weightVersionSpans = WeightVersionSpan.checked(weightVersionSpans, outputIds.size());
  }

  /**
   * Creates a result without weight version spans (a worker that reports one version per answer).
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
  public GenerateResult(
      String requestId,
      String workerId,
      @Nullable String text,
      TokenIds outputIds,
      TokenLogprobs outputLogprobs,
      FinishReason finishReason,
      TokenUsage usage,
      @Nullable String weightVersion) {
    this(requestId, workerId, text, outputIds, outputLogprobs, finishReason, usage, weightVersion,
        List.of());
  }

  /**
   * The weight version that generated an output token: the version of the span that holds it
   * when the worker reported spans (null for a token no span covers), else the answer's {@link
   * #weightVersion()}.
   *
   * @param index the output token's position, from 0
   * @return the version, or null when unknown
   * @throws IndexOutOfBoundsException if the index is not that of an output token
   */
  public @Nullable String tokenWeightVersion(int index) {
    Objects.checkIndex(index, outputIds.size());
    if (weightVersionSpans.isEmpty()) {
      return weightVersion;
    }
    for (WeightVersionSpan s : weightVersionSpans) {
      if (index < s.start()) {
        return null;
      }
      if (index < s.end()) {
        return s.version();
      }
    }
    return null;
  }

  /** Describes the result without the generated text. */
  @Override
  public String toString() {
    return "GenerateResult{requestId=" + requestId + ", workerId=" + workerId + ", outputTokens="
        + outputIds.size() + ", finishReason=" + finishReason.raw() + ", usage=" + usage
        + ", weightVersion=" + weightVersion
        + (weightVersionSpans.isEmpty() ? "" : ", weightVersionSpans=" + weightVersionSpans)
        + "}";
  }
}
