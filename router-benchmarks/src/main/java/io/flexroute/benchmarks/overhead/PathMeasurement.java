package io.flexroute.benchmarks.overhead;

import io.flexroute.benchmarks.load.LoadResult;
import java.util.HashMap;
import java.util.Map;

/**
 * What one path measured at one mode and concurrency, over all its rounds: the client JVM's side
 * ({@link LoadResult}, and its CPU time split by thread group), plus the CPU time the proxy's and
 * the workers' processes used meanwhile.
 *
 * <p>Immutable and thread-safe.
 *
 * @param label the path's label
 * @param result latency distributions and the client JVM's CPU time
 * @param threadCpuNanos the client JVM's CPU time per {@linkplain ThreadGroups thread group},
 *     without the driver threads (in {@link LoadResult#driverCpuNanos()})
 * @param proxyCpuNanos CPU time of the proxy's processes during this path's rounds
 * @param workerCpuNanos CPU time of the workers' process during this path's rounds
 */
record PathMeasurement(
    String label,
    LoadResult result,
    Map<String, Long> threadCpuNanos,
    long proxyCpuNanos,
    long workerCpuNanos) {

  PathMeasurement {
    threadCpuNanos = Map.copyOf(threadCpuNanos);
  }

  static PathMeasurement empty(String label) {
    return new PathMeasurement(label, LoadResult.empty(), Map.of(), 0, 0);
  }

  PathMeasurement plus(
      LoadResult more, Map<String, Long> moreThreadCpu, long moreProxyCpu, long moreWorkerCpu) {
    Map<String, Long> threads = new HashMap<>(threadCpuNanos);
    moreThreadCpu.forEach((group, nanos) -> threads.merge(group, nanos, Long::sum));
    return new PathMeasurement(
        label,
        result.plus(more),
        threads,
        proxyCpuNanos + moreProxyCpu,
        workerCpuNanos + moreWorkerCpu);
  }

  double clientCpuMicrosPerRequest() {
    return result.processCpuMicrosPerRequest();
  }

  double proxyCpuMicrosPerRequest() {
    return perRequest(proxyCpuNanos);
  }

  double workerCpuMicrosPerRequest() {
    return perRequest(workerCpuNanos);
  }

  double callerCpuMicrosPerRequest() {
    return perRequest(result.driverCpuNanos());
  }

  double threadGroupCpuMicrosPerRequest(String group) {
    return perRequest(threadCpuNanos.getOrDefault(group, 0L));
  }

  /** The client JVM's CPU time outside the driver and the other named Java threads: GC, JIT. */
  double restOfJvmCpuMicrosPerRequest() {
    long named = result.driverCpuNanos();
    for (long nanos : threadCpuNanos.values()) {
      named += nanos;
    }
    return perRequest(result.processCpuNanos() - named);
  }

  private double perRequest(long nanos) {
    return result.requests() == 0 ? 0 : nanos / 1000.0 / result.requests();
  }
}
