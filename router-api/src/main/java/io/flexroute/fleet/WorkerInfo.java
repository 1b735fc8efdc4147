package io.flexroute.fleet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a worker reports about itself. Fields the worker does not report are null.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param workerId the worker
 * @param weightVersion its current weight version
 * @param modelPath the path or hub id of its model
 * @param paused whether generation is paused (gRPC reports it; SGLang's HTTP server does not)
 * @param activeRequests the requests it runs now (gRPC only)
 * @param engineVersion the engine's version, such as SGLang's
 * @param details everything else the worker reported (SGLang's server arguments and scheduler
 *     information) as JSON-like values: strings, numbers, booleans, lists and maps; entries whose
 *     value was JSON null are left out
 */
public record WorkerInfo(
    String workerId,
    @Nullable String weightVersion,
    @Nullable String modelPath,
    @Nullable Boolean paused,
    @Nullable Integer activeRequests,
    @Nullable String engineVersion,
    Map<String, Object> details) {

  /**
   * Validates the fields and copies the details (the values are the transport's, immutable).
   * @param workerId the worker
   * @param weightVersion its current weight version
   * @param modelPath the path or hub id of its model
   * @param paused whether generation is paused (gRPC reports it; SGLang's HTTP server does not)
   * @param activeRequests the requests it runs now (gRPC only)
   * @param engineVersion the engine's version, such as SGLang's
   * @param details everything else the worker reported (SGLang's server arguments and scheduler
   *     information) as JSON-like values: strings, numbers, booleans, lists and maps; entries whose
   *     value was JSON null are left out
   */
  public WorkerInfo {
    Objects.requireNonNull(workerId, "workerId");
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** Describes the worker without the details. */
  @Override
  public String toString() {
    return "WorkerInfo{workerId=" + workerId + ", weightVersion=" + weightVersion + ", modelPath="
        + modelPath + ", paused=" + paused + ", engineVersion=" + engineVersion + ", details="
        + details.size() + " entries}";
  }
}
