package io.flexroute.testkit.worker.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The fixed configuration of one fake worker, as collected by its builder.
 *
 * <p>Immutable and thread-safe.
 *
 * @param model the served model name
 * @param modelPath the initial {@code model_path}
 * @param weightVersion the initial weight version
 * @param ttft the wait before the first token
 * @param interTokenDelay the wait between tokens
 * @param defaultMaxTokens the token limit for requests without one, or -1 for each protocol's own
 * @param maxModelLen the context length in tokens
 * @param maxTotalTokens the KV-cache capacity in tokens
 * @param maxRunningRequests the reported maximum number of running requests
 * @param apiKey the required bearer key, or {@code null} for none
 * @param strictModelName whether OpenAI requests for another model get 404
 * @param incrementalStreamOutput whether {@code /generate} streams send deltas
 * @param stallLimit how long a stall fault holds a request
 * @param requestLogCapacity how many requests the log keeps
 * @param prefixCacheCapacity how many requests the prefix cache remembers
 * @param weightVersionSpans whether {@code /generate} answers report {@code weight_versions}
 */
public record WorkerSettings(
    String model,
    String modelPath,
    String weightVersion,
    Duration ttft,
    Duration interTokenDelay,
    int defaultMaxTokens,
    int maxModelLen,
    int maxTotalTokens,
    int maxRunningRequests,
    @Nullable String apiKey,
    boolean strictModelName,
    boolean incrementalStreamOutput,
    Duration stallLimit,
    int requestLogCapacity,
    int prefixCacheCapacity,
    boolean weightVersionSpans) {

  /**
   * Returns the token limit for a request that gives none.
   *
   * @param protocolDefault the endpoint's own default
   * @return the builder's default if one was set, else {@code protocolDefault}
   */
  public int maxTokensOr(int protocolDefault) {
    return defaultMaxTokens < 0 ? protocolDefault : defaultMaxTokens;
  }
}
