package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One streamed piece of a {@link GenerateRequest}'s output, always as a delta.
 *
 * <p>SGLang streams cumulative text and ids by default; transports turn them into deltas, so that
 * concatenating every chunk's {@code textDelta} and {@code newOutputIds} gives the whole output.
 * Instances are immutable and thread-safe.
 *
 * @param requestId the id the request runs under on the worker
 * @param workerId the worker serving it
 * @param textDelta the text generated since the previous chunk, possibly empty
 * @param newOutputIds the token ids generated since the previous chunk
 * @param newLogprobs their logprobs when requested, else empty
 * @param completionTokens the number of tokens generated so far
 * @param finishReason set on the last chunk only
 * @param usage set on the last chunk only
 * @param weightVersion the worker's weight version when it reported one
 */
public record GenerateChunk(
    String requestId,
    String workerId,
    String textDelta,
    TokenIds newOutputIds,
    TokenLogprobs newLogprobs,
    int completionTokens,
    @Nullable FinishReason finishReason,
    @Nullable TokenUsage usage,
    @Nullable String weightVersion) {

  /**
   * Validates the fields.
   *
   * @param requestId the id the request runs under on the worker
   * @param workerId the worker serving it
   * @param textDelta the text generated since the previous chunk, possibly empty
   * @param newOutputIds the token ids generated since the previous chunk
   * @param newLogprobs their logprobs when requested, else empty
   * @param completionTokens the number of tokens generated so far
   * @param finishReason set on the last chunk only
   * @param usage set on the last chunk only
   * @param weightVersion the worker's weight version when it reported one
   * @throws NullPointerException if a required field is null
   */
  public GenerateChunk {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(textDelta, "textDelta");
    Objects.requireNonNull(newOutputIds, "newOutputIds");
    Objects.requireNonNull(newLogprobs, "newLogprobs");
  }

  /**
   * Whether this is the last chunk of the stream.
   *
   * @return {@code true} when a finish reason is set
   */
  public boolean isLast() {
    return finishReason != null;
  }

  /** Describes the chunk without its text. */
  @Override
  public String toString() {
    return "GenerateChunk{requestId=" + requestId + ", newTokens=" + newOutputIds.size()
        + ", completionTokens=" + completionTokens
        + (finishReason != null ? ", finishReason=" + finishReason.raw() : "") + "}";
  }
}
