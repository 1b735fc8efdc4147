package io.flexroute.benchmarks.overhead;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every path's measurement at one mode and concurrency. The first path is the baseline that the
 * others' added latency is computed against.
 *
 * <p>Immutable and thread-safe.
 *
 * @param stream whether the requests were SSE streams
 * @param concurrency requests in flight at once
 * @param paths the measurements, baseline first
 */
record ConfigurationResult(boolean stream, int concurrency, List<PathMeasurement> paths) {

  ConfigurationResult {
    paths = List.copyOf(paths);
  }

  PathMeasurement baseline() {
    return paths.get(0);
  }

  @Nullable PathMeasurement path(String label) {
    return paths.stream().filter(p -> p.label().equals(label)).findFirst().orElse(null);
  }

  /** The path's latency percentile minus the baseline's, in microseconds. */
  double addedMicros(PathMeasurement path, double percentile) {
    return path.result().latencyMicros(percentile) - baseline().result().latencyMicros(percentile);
  }

  /** The path's time-to-first-chunk percentile minus the baseline's, in microseconds. */
  double addedFirstChunkMicros(PathMeasurement path, double percentile) {
    return path.result().firstChunkMicros(percentile)
        - baseline().result().firstChunkMicros(percentile);
  }

  String modeName() {
    return stream ? "stream" : "plain";
  }
}
