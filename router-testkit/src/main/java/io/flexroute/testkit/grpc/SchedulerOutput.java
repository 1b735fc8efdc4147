package io.flexroute.testkit.grpc;

import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link FakeScheduler} generates for one request: the output tokens with their logprobs,
 * and how generation ends.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param ids the output token ids
 * @param logprobs one logprob per output token
 * @param finishReason {@code "stop"}, {@code "length"} or {@code "abort"}
 * @param matchedTokenId the stop token that ended generation, or null
 */
public record SchedulerOutput(
    TokenIds ids, TokenLogprobs logprobs, String finishReason, @Nullable Integer matchedTokenId) {

  /**
   * Validates the fields.
   *
   * @param ids the output token ids
   * @param logprobs one logprob per output token
   * @param finishReason {@code "stop"}, {@code "length"} or {@code "abort"}
   * @param matchedTokenId the stop token that ended generation, or null
   * @throws IllegalArgumentException if the logprobs and ids differ in length
   */
  public SchedulerOutput {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(logprobs, "logprobs");
    Objects.requireNonNull(finishReason, "finishReason");
    if (ids.size() != logprobs.size()) {
      throw new IllegalArgumentException(
          "one logprob per token is needed, but there were " + ids.size() + " ids and "
              + logprobs.size() + " logprobs");
    }
  }

  /**
   * Computes the output of a request; set with {@link FakeScheduler.Builder#output}.
   *
   * <p>Implementations must be thread-safe and deterministic if tests rely on repeatability.
   */
  @FunctionalInterface
  public interface Script {
    /**
     * Computes the output.
     *
     * @param request the recorded request
     * @return the output
     */
    SchedulerOutput generate(RecordedGenerate request);
  }
}
