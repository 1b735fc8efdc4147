package io.flexroute.spi;

/**
 * The load a worker reported about itself (SGLang {@code /v1/loads}, Prometheus {@code /metrics}, or
 * gRPC {@code GetLoads}).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param runningRequests requests the worker is running
 * @param waitingRequests requests queued on the worker
 * @param kvCacheUsage the fraction of KV-cache capacity in use, from 0 to 1, or NaN if unknown
 * @param reportedAtNanos when the report was taken, on the router's {@link System#nanoTime()} clock
 */
public record WorkerLoad(
    int runningRequests, int waitingRequests, double kvCacheUsage, long reportedAtNanos) {

  /**
   * Validates the fields.
   *
   * @param runningRequests requests the worker is running
   * @param waitingRequests requests queued on the worker
   * @param kvCacheUsage the fraction of KV-cache capacity in use, from 0 to 1, or NaN if unknown
   * @param reportedAtNanos when the report was taken, on the router's {@link System#nanoTime()}
   *     clock
   * @throws IllegalArgumentException if a count is negative or the usage is outside [0, 1]
   */
  public WorkerLoad {
    if (runningRequests < 0 || waitingRequests < 0) {
      throw new IllegalArgumentException(
          "request counts must be >= 0, but were running=" + runningRequests + ", waiting="
              + waitingRequests);
    }
    if (!Double.isNaN(kvCacheUsage) && (kvCacheUsage < 0 || kvCacheUsage > 1)) {
      throw new IllegalArgumentException(
          "kvCacheUsage must be in [0, 1] or NaN, but was " + kvCacheUsage);
    }
  }
}
