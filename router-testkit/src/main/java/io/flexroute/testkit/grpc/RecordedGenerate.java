package io.flexroute.testkit.grpc;

import io.flexroute.TokenIds;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One Generate call the {@link FakeScheduler} received, as the wire carried it.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param requestId the {@code request_id}
 * @param inputIds the prompt's token ids
 * @param maxNewTokens {@code max_new_tokens}, or null when unset on the wire
 * @param minNewTokens {@code min_new_tokens}
 * @param temperature {@code temperature}
 * @param topP {@code top_p}
 * @param topK {@code top_k}
 * @param minP {@code min_p}
 * @param repetitionPenalty {@code repetition_penalty}
 * @param n {@code n}
 * @param ignoreEos {@code ignore_eos}
 * @param skipSpecialTokens {@code skip_special_tokens}
 * @param stopTokenIds {@code stop_token_ids}
 * @param stop {@code stop}
 * @param stream {@code stream}
 * @param returnLogprob {@code return_logprob}
 * @param logprobStartLen {@code logprob_start_len}
 * @param topLogprobsNum {@code top_logprobs_num}
 * @param metadata the call's ASCII metadata, names in lower case (the last value of each)
 */
public record RecordedGenerate(
    String requestId,
    TokenIds inputIds,
    @Nullable Integer maxNewTokens,
    int minNewTokens,
    float temperature,
    float topP,
    int topK,
    float minP,
    float repetitionPenalty,
    int n,
    boolean ignoreEos,
    boolean skipSpecialTokens,
    TokenIds stopTokenIds,
    List<String> stop,
    boolean stream,
    boolean returnLogprob,
    int logprobStartLen,
    int topLogprobsNum,
    Map<String, String> metadata) {

  /**
   * Validates the fields and copies the collections.
   *
   * @param requestId the {@code request_id}
   * @param inputIds the prompt's token ids
   * @param maxNewTokens {@code max_new_tokens}, or null when unset on the wire
   * @param minNewTokens {@code min_new_tokens}
   * @param temperature {@code temperature}
   * @param topP {@code top_p}
   * @param topK {@code top_k}
   * @param minP {@code min_p}
   * @param repetitionPenalty {@code repetition_penalty}
   * @param n {@code n}
   * @param ignoreEos {@code ignore_eos}
   * @param skipSpecialTokens {@code skip_special_tokens}
   * @param stopTokenIds {@code stop_token_ids}
   * @param stop {@code stop}
   * @param stream {@code stream}
   * @param returnLogprob {@code return_logprob}
   * @param logprobStartLen {@code logprob_start_len}
   * @param topLogprobsNum {@code top_logprobs_num}
   * @param metadata the call's ASCII metadata, names in lower case (the last value of each)
   * @throws NullPointerException if a required field is null
   */
  public RecordedGenerate {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(inputIds, "inputIds");
    Objects.requireNonNull(stopTokenIds, "stopTokenIds");
    stop = List.copyOf(stop);
    metadata = Map.copyOf(metadata);
  }
}
