package io.flexroute.transport.grpc.internal;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.flexroute.fleet.WorkerInfo;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.transport.grpc.SchedulerModelInfo;
import io.flexroute.transport.grpc.SchedulerServerInfo;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the answers of GetModelInfo, GetServerInfo and GetLoads to FlexRoute's types.
 *
 * <p>Stateless and thread-safe.
 */
public final class InfoCodec {

  private InfoCodec() {}

  /**
   * Maps GetModelInfo.
   *
   * @param r the answer
   * @return the model information
   */
  public static SchedulerModelInfo modelInfo(SglangSchedulerProto.GetModelInfoResponse r) {
    return new SchedulerModelInfo(
        r.getModelPath(),
        r.getTokenizerPath(),
        r.getServedModelName(),
        r.getWeightVersion(),
        r.getIsGeneration(),
        r.getMaxContextLength(),
        r.getMaxReqInputLen(),
        r.getVocabSize(),
        r.getEosTokenIdsList(),
        r.getPadTokenId(),
        r.getBosTokenId(),
        r.getModelType(),
        r.getArchitecturesList(),
        r.getSupportsVision(),
        r.getPreferredSamplingParams(),
        r.getDefaultSamplingParamsJson());
  }

  /**
   * Maps GetServerInfo.
   *
   * @param r the answer
   * @return the server information
   */
  public static SchedulerServerInfo serverInfo(SglangSchedulerProto.GetServerInfoResponse r) {
    return new SchedulerServerInfo(
        struct(r.getServerArgs()),
        struct(r.getSchedulerInfo()),
        r.getActiveRequests(),
        r.getIsPaused(),
        r.getLastReceiveTimestamp(),
        r.getUptimeSeconds(),
        r.getSglangVersion(),
        r.getServerType(),
        r.getMaxTotalNumTokens());
  }

  /**
   * Maps GetLoads: the aggregate when the server sent one, else the sum over the data-parallel
   * ranks; the KV-cache usage is the aggregate's average token usage (or the ranks' mean), clamped
   * to [0, 1], and NaN when no rank reported.
   *
   * @param r the answer
   * @param reportedAtNanos when the answer arrived, on {@link System#nanoTime()}
   * @return the load
   */
  public static WorkerLoad load(SglangSchedulerProto.GetLoadsResponse r, long reportedAtNanos) {
    int running;
    int waiting;
    double usage;
    if (r.hasAggregate()) {
      SglangSchedulerProto.AggregateMetrics a = r.getAggregate();
      running = a.getTotalRunningReqs();
      waiting = a.getTotalWaitingReqs();
      usage = a.getAvgTokenUsage();
    } else {
      running = 0;
      waiting = 0;
      double sum = 0;
      for (SglangSchedulerProto.SchedulerLoad l : r.getLoadsList()) {
        running += l.getNumRunningReqs();
        waiting += l.getNumWaitingReqs();
        sum += l.getTokenUsage();
      }
      usage = r.getLoadsCount() == 0 ? Double.NaN : sum / r.getLoadsCount();
    }
    if (!Double.isNaN(usage)) {
      usage = Math.max(0, Math.min(1, usage));
    }
    return new WorkerLoad(Math.max(0, running), Math.max(0, waiting), usage, reportedAtNanos);
  }

  /**
   * Combines GetModelInfo and GetServerInfo into the control plane's {@link WorkerInfo}: the weight
   * version and model path from the first; paused, active requests and the SGLang version from the
   * second; its server arguments and scheduler information, without JSON nulls, as the details
   * ({@code server_args} and {@code scheduler_info}).
   *
   * @param workerId the worker
   * @param model the model information
   * @param server the server information
   * @return the worker information
   */
  public static WorkerInfo workerInfo(
      String workerId,
      SglangSchedulerProto.GetModelInfoResponse model,
      SglangSchedulerProto.GetServerInfoResponse server) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("server_args", withoutNulls(struct(server.getServerArgs())));
    details.put("scheduler_info", withoutNulls(struct(server.getSchedulerInfo())));
    details.put("server_type", server.getServerType());
    details.put("uptime_seconds", server.getUptimeSeconds());
    details.put("max_total_num_tokens", server.getMaxTotalNumTokens());
    return new WorkerInfo(
        workerId,
        model.getWeightVersion().isEmpty() ? null : model.getWeightVersion(),
        model.getModelPath().isEmpty() ? null : model.getModelPath(),
        server.getIsPaused(),
        server.getActiveRequests(),
        server.getSglangVersion().isEmpty() ? null : server.getSglangVersion(),
        details);
  }

  private static Object withoutNulls(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (e.getValue() != SchedulerServerInfo.NULL) {
          out.put((String) e.getKey(), withoutNulls(e.getValue()));
        }
      }
      return Collections.unmodifiableMap(out);
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object v : list) {
        if (v != SchedulerServerInfo.NULL) {
          out.add(withoutNulls(v));
        }
      }
      return List.copyOf(out);
    }
    return value;
  }

  static Map<String, Object> struct(Struct s) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
      map.put(e.getKey(), value(e.getValue()));
    }
    return Collections.unmodifiableMap(map);
  }

  private static Object value(Value v) {
    return switch (v.getKindCase()) {
      case NUMBER_VALUE -> v.getNumberValue();
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue();
      case STRUCT_VALUE -> struct(v.getStructValue());
      case LIST_VALUE -> list(v.getListValue());
      case NULL_VALUE, KIND_NOT_SET -> SchedulerServerInfo.NULL;
    };
  }

  private static List<Object> list(ListValue l) {
    List<Object> out = new ArrayList<>(l.getValuesCount());
    for (Value v : l.getValuesList()) {
      out.add(value(v));
    }
    return List.copyOf(out);
  }
}
