package io.flexroute.testkit.sim;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one strategy achieved on one trace in a {@link Replay}. All times are virtual (simulated),
 * so results do not depend on the machine that ran the replay; for a deterministic strategy they
 * are the same in every run with the same trace and settings.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param strategy the strategy's name
 * @param trace the trace's name
 * @param workers the number of workers
 * @param conversations the conversations in the trace
 * @param requests the requests that completed
 * @param rejectedRequests the requests the strategy declined ({@code Choice.none}); their
 *     conversations end there
 * @param strategyFaults selections where the strategy threw, returned null or chose a worker that
 *     was not a candidate, and the router's least-loaded fallback chose instead
 * @param promptTokens the prompt tokens of the completed requests
 * @param cachedTokens the prompt tokens the engines found in their prefix caches
 * @param outputTokens the tokens generated
 * @param preemptions the times an engine preempted a running request for want of KV blocks
 * @param duration the virtual time from the start to the last completion
 * @param meanTtft the mean time from dispatch to the first output token
 * @param p50Ttft the median time to first token
 * @param p99Ttft the 99th percentile (nearest rank) of the time to first token
 * @param meanInFlight the mean in-flight requests per worker, averaged over the samples
 * @param loadImbalance the most loaded worker's in-flight requests over the fleet's mean, as the
 *     ratio of their averages over the samples (so idle moments weigh nothing): 1 is perfectly
 *     even, the number of workers is everything on one
 * @param requestsPerWorker the requests each worker was sent, in fleet order
 */
public record ReplayResult(
    String strategy,
    String trace,
    int workers,
    int conversations,
    long requests,
    long rejectedRequests,
    long strategyFaults,
    long promptTokens,
    long cachedTokens,
    long outputTokens,
    long preemptions,
    Duration duration,
    Duration meanTtft,
    Duration p50Ttft,
    Duration p99Ttft,
    double meanInFlight,
    double loadImbalance,
    List<Long> requestsPerWorker) {

  /**
   * Copies the list and checks the names.
   *
   * @param strategy the strategy's name
   * @param trace the trace's name
   * @param workers the number of workers
   * @param conversations the conversations in the trace
   * @param requests the requests that completed
   * @param rejectedRequests the requests the strategy declined ({@code Choice.none}); their
   *     conversations end there
   * @param strategyFaults selections where the strategy threw, returned null or chose a worker that
   *     was not a candidate, and the router's least-loaded fallback chose instead
   * @param promptTokens the prompt tokens of the completed requests
   * @param cachedTokens the prompt tokens the engines found in their prefix caches
   * @param outputTokens the tokens generated
   * @param preemptions the times an engine preempted a running request for want of KV blocks
   * @param duration the virtual time from the start to the last completion
   * @param meanTtft the mean time from dispatch to the first output token
   * @param p50Ttft the median time to first token
   * @param p99Ttft the 99th percentile (nearest rank) of the time to first token
   * @param meanInFlight the mean in-flight requests per worker, averaged over the samples
   * @param loadImbalance the most loaded worker's in-flight requests over the fleet's mean, as the
   *     ratio of their averages over the samples (so idle moments weigh nothing): 1 is perfectly
   *     even, the number of workers is everything on one
   * @param requestsPerWorker the requests each worker was sent, in fleet order
   * @throws NullPointerException if a reference is null
   */
  public ReplayResult {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(meanTtft, "meanTtft");
    Objects.requireNonNull(p50Ttft, "p50Ttft");
    Objects.requireNonNull(p99Ttft, "p99Ttft");
    requestsPerWorker = List.copyOf(requestsPerWorker);
  }

  /** @return cached prompt tokens over prompt tokens, from 0 to 1 (0 without requests) */
  public double cacheHitRate() {
    return promptTokens == 0 ? 0 : (double) cachedTokens / promptTokens;
  }

  /** @return generated tokens per second of virtual time */
  public double outputTokensPerSecond() {
    return perSecond(outputTokens);
  }

  /** @return prompt and generated tokens per second of virtual time */
  public double totalTokensPerSecond() {
    return perSecond(promptTokens + outputTokens);
  }

  /** @return completed requests per second of virtual time */
  public double requestsPerSecond() {
    return perSecond(requests);
  }

  private double perSecond(long count) {
    long nanos = duration.toNanos();
    return nanos == 0 ? 0 : count * 1e9 / nanos;
  }
}
