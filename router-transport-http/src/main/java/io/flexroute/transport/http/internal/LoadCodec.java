package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.spi.WorkerLoad;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads a worker's self-reported load: SGLang's {@code GET /v1/loads} JSON, or the Prometheus text
 * of SGLang's and vLLM's {@code /metrics}.
 *
 * <p>Across data-parallel ranks (several {@code loads[]} entries, or several series of one metric)
 * request counts are summed and KV-cache usage is averaged. Metric names are accepted with either
 * separator ({@code sglang:token_usage} and {@code sglang_token_usage}), and vLLM's KV usage under
 * its current and its former name. Immutable and thread-safe.
 */
public final class LoadCodec {

  private final JsonCodec json;

  /**
   * Creates the codec.
   *
   * @param json the JSON codec
   */
  public LoadCodec(JsonCodec json) {
    this.json = json;
  }

  /**
   * Reads SGLang's {@code /v1/loads} answer.
   *
   * @param body the JSON body
   * @param readAtNanos when the answer was read, on the {@link System#nanoTime()} clock
   * @return the load
   * @throws JsonShapeException if the body is not a load report or has no ranks
   */
  public WorkerLoad sglangLoads(byte[] body, long readAtNanos) {
    JsonNode root = json.parse(body, "loads");
    JsonNode loads = JsonNodes.array(root, "loads", "loads");
    if (loads == null || loads.isEmpty()) {
      throw new JsonShapeException("loads: no rank reported a load");
    }
    long running = 0;
    long waiting = 0;
    double usageSum = 0;
    int usageCount = 0;
    for (int i = 0; i < loads.size(); i++) {
      JsonNode rank = loads.get(i);
      String path = "loads[" + i + "]";
      running += JsonNodes.integer(rank, "num_running_reqs", 0, path);
      Integer queued = JsonNodes.integer(rank, "num_waiting_reqs", path);
      if (queued == null) {
        queued = JsonNodes.integer(JsonNodes.object(rank, "queues", path), "waiting", 0, path);
      }
      waiting += queued;
      JsonNode usage = JsonNodes.field(rank, "token_usage");
      if (usage != null && usage.isNumber()) {
        usageSum += usage.asDouble();
        usageCount++;
      }
    }
    return load(running, waiting, usageCount == 0 ? Double.NaN : usageSum / usageCount, readAtNanos);
  }

  /**
   * Reads a Prometheus text exposition from SGLang ({@code sglang:num_running_reqs}, {@code
   * sglang:num_queue_reqs}, {@code sglang:token_usage}) or vLLM ({@code
   * vllm:num_requests_running}, {@code vllm:num_requests_waiting}, {@code
   * vllm:kv_cache_usage_perc} or {@code vllm:gpu_cache_usage_perc}).
   *
   * @param body the text
   * @param readAtNanos when the answer was read, on the {@link System#nanoTime()} clock
   * @return the load
   * @throws JsonShapeException if no running-request count is in the text
   */
  public WorkerLoad prometheus(byte[] body, long readAtNanos) {
    String text = new String(body, StandardCharsets.UTF_8);
    double running = 0;
    double waiting = 0;
    double usageSum = 0;
    int usageCount = 0;
    boolean sawRunning = false;
    int lineStart = 0;
    int length = text.length();
    while (lineStart < length) {
      int lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = length;
      }
      Sample sample = Sample.parse(text, lineStart, lineEnd);
      lineStart = lineEnd + 1;
      if (sample == null || Double.isNaN(sample.value) || Double.isInfinite(sample.value)) {
        continue;
      }
      switch (sample.metric) {
        case "sglang:num_running_reqs", "sglang_num_running_reqs",
            "vllm:num_requests_running", "vllm_num_requests_running" -> {
          running += sample.value;
          sawRunning = true;
        }
        case "sglang:num_queue_reqs", "sglang_num_queue_reqs",
            "sglang:num_waiting_reqs", "sglang_num_waiting_reqs",
            "vllm:num_requests_waiting", "vllm_num_requests_waiting" -> waiting += sample.value;
        case "sglang:token_usage", "sglang_token_usage",
            "vllm:kv_cache_usage_perc", "vllm_kv_cache_usage_perc",
            "vllm:gpu_cache_usage_perc", "vllm_gpu_cache_usage_perc" -> {
          usageSum += sample.value;
          usageCount++;
        }
        default -> {
          // Not a load metric.
        }
      }
    }
    if (!sawRunning) {
      throw new JsonShapeException("metrics: no running-request count (is --enable-metrics on?)");
    }
    return load(
        Math.round(running),
        Math.round(waiting),
        usageCount == 0 ? Double.NaN : usageSum / usageCount,
        readAtNanos);
  }

  private static WorkerLoad load(long running, long waiting, double usage, long readAtNanos) {
    double clamped = Double.isNaN(usage) ? Double.NaN : Math.max(0, Math.min(1, usage));
    return new WorkerLoad(
        (int) Math.max(0, Math.min(Integer.MAX_VALUE, running)),
        (int) Math.max(0, Math.min(Integer.MAX_VALUE, waiting)),
        clamped,
        readAtNanos);
  }

  /** One sample line: {@code name{labels} value [timestamp]}. */
  private static final class Sample {
    final String metric;
    final double value;

    private Sample(String metric, double value) {
      this.metric = metric;
      this.value = value;
    }

    /** The sample on a line, or null for comments, blank lines and lines it cannot read. */
    static @Nullable Sample parse(String text, int start, int end) {
      int i = start;
      while (i < end && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i == end || text.charAt(i) == '#') {
        return null;
      }
      int nameStart = i;
      while (i < end && text.charAt(i) != '{' && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      String metric = text.substring(nameStart, i);
      if (i < end && text.charAt(i) == '{') {
        // Skip the labels; a quoted value may hold braces, spaces and escaped quotes.
        boolean quoted = false;
        i++;
        while (i < end) {
          char c = text.charAt(i);
          if (quoted && c == '\\') {
            i += 2;
            continue;
          }
          if (c == '"') {
            quoted = !quoted;
          } else if (c == '}' && !quoted) {
            break;
          }
          i++;
        }
        if (i >= end) {
          return null;
        }
        i++;
      }
      while (i < end && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int valueStart = i;
      while (i < end && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (valueStart == i) {
        return null;
      }
      try {
        return new Sample(metric, Double.parseDouble(text.substring(valueStart, i)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
