package io.flexroute.benchmarks.load;

import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * What one load run (or several, {@linkplain #plus(LoadResult) added up}) measured: the request
 * count, the wall time, the CPU time of the driver threads and of the whole JVM, and HdrHistogram
 * distributions (in nanoseconds, three significant digits) of the request latency and, for streams,
 * of the time to first chunk.
 *
 * <p>Immutable and thread-safe: the histograms are copied in and out.
 */
public final class LoadResult {

  private final int requests;
  private final long wallNanos;
  private final long driverCpuNanos;
  private final long processCpuNanos;
  private final Histogram latency;
  private final Histogram firstChunk;

  /**
   * Creates a result. The histograms are copied.
   *
   * @param requests how many requests completed, at least 0
   * @param wallNanos the wall time of the run, at least 0
   * @param driverCpuNanos the CPU time of the driver threads, at least 0
   * @param processCpuNanos the CPU time of the whole JVM during the run, at least 0
   * @param latency the request latencies, in nanoseconds
   * @param firstChunk the times to first chunk, in nanoseconds; empty for plain requests
   * @throws IllegalArgumentException if a number is negative
   */
  public LoadResult(
      int requests,
      long wallNanos,
      long driverCpuNanos,
      long processCpuNanos,
      Histogram latency,
      Histogram firstChunk) {
    this.requests = notNegative(requests, "requests");
    this.wallNanos = notNegative(wallNanos, "wallNanos");
    this.driverCpuNanos = notNegative(driverCpuNanos, "driverCpuNanos");
    this.processCpuNanos = notNegative(processCpuNanos, "processCpuNanos");
    this.latency = Objects.requireNonNull(latency, "latency").copy();
    this.firstChunk = Objects.requireNonNull(firstChunk, "firstChunk").copy();
  }

  /**
   * Returns an empty result, the starting point for adding results up.
   *
   * @return a result with no requests
   */
  public static LoadResult empty() {
    return new LoadResult(0, 0, 0, 0, newHistogram(), newHistogram());
  }

  /**
   * Returns a histogram of the kind results hold: nanoseconds, three significant digits, resizing
   * itself to any value.
   *
   * @return a new empty histogram
   */
  public static Histogram newHistogram() {
    return new Histogram(3);
  }

  /**
   * Returns the sum of this result and another: counts, times and CPU added, distributions merged.
   *
   * @param other the other result
   * @return a new result
   */
  public LoadResult plus(LoadResult other) {
    Histogram mergedLatency = latency.copy();
    mergedLatency.add(other.latency);
    Histogram mergedFirstChunk = firstChunk.copy();
    mergedFirstChunk.add(other.firstChunk);
    return new LoadResult(
        requests + other.requests,
        wallNanos + other.wallNanos,
        driverCpuNanos + other.driverCpuNanos,
        processCpuNanos + other.processCpuNanos,
        mergedLatency,
        mergedFirstChunk);
  }

  /**
   * Returns how many requests completed.
   *
   * @return the count
   */
  public int requests() {
    return requests;
  }

  /**
   * Returns the wall time of the run.
   *
   * @return nanoseconds
   */
  public long wallNanos() {
    return wallNanos;
  }

  /**
   * Returns the CPU time the driver threads used (sending, waiting and reading on the caller's
   * side), without other threads of the JVM.
   *
   * @return nanoseconds
   */
  public long driverCpuNanos() {
    return driverCpuNanos;
  }

  /**
   * Returns the CPU time of the whole JVM during the run: the driver threads and every other
   * thread, including I/O threads, the garbage collector and the JIT compiler.
   *
   * @return nanoseconds
   */
  public long processCpuNanos() {
    return processCpuNanos;
  }

  /**
   * Returns the throughput.
   *
   * @return requests per second of wall time, or 0 for an empty result
   */
  public double requestsPerSecond() {
    return wallNanos == 0 ? 0 : requests / (wallNanos / 1e9);
  }

  /**
   * Returns the JVM's CPU time per request.
   *
   * @return microseconds per request, or 0 for an empty result
   */
  public double processCpuMicrosPerRequest() {
    return requests == 0 ? 0 : processCpuNanos / 1000.0 / requests;
  }

  /**
   * Returns a latency percentile.
   *
   * @param percentile the percentile, in [0, 100]
   * @return microseconds; 0 for an empty result
   */
  public double latencyMicros(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }

  /**
   * Returns a time-to-first-chunk percentile.
   *
   * @param percentile the percentile, in [0, 100]
   * @return microseconds; 0 when no request marked a first chunk
   */
  public double firstChunkMicros(double percentile) {
    return firstChunk.getValueAtPercentile(percentile) / 1000.0;
  }

  /**
   * Returns a copy of the latency distribution.
   *
   * @return nanoseconds per request
   */
  public Histogram latency() {
    return latency.copy();
  }

  /**
   * Returns a copy of the time-to-first-chunk distribution.
   *
   * @return nanoseconds per request that marked its first chunk
   */
  public Histogram firstChunk() {
    return firstChunk.copy();
  }

  private static int notNegative(int value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, but was " + value);
    }
    return value;
  }

  private static long notNegative(long value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0, but was " + value);
    }
    return value;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "LoadResult{requests=%d, rps=%.0f, p50=%.1fus, p99=%.1fus, cpu/req=%.1fus}",
        requests,
        requestsPerSecond(),
        latencyMicros(50),
        latencyMicros(99),
        processCpuMicrosPerRequest());
  }
}
