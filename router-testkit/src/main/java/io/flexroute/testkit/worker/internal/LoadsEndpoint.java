package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/loads}: the newest SGLang load shape for one DP rank, with the {@code include},
 * {@code dp_rank} and {@code format=json|prometheus} query parameters. Sections the fake worker
 * has no data for ({@code spec}, {@code lora}, {@code disagg}) are accepted and omitted.
 */
final class LoadsEndpoint implements Endpoint {

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");
  private static final Set<String> SECTIONS =
      Set.of("core", "memory", "spec", "lora", "disagg", "queues", "all");

  @Override
  public void handle(Call call) throws IOException {
    Map<String, String> query = QueryString.parse(call.request().query());
    Set<String> include =
        new HashSet<>(Arrays.asList(query.getOrDefault("include", "all").split(",")));
    for (String section : include) {
      if (!SECTIONS.contains(section)) {
        Responses.json(
            call, 400, ErrorBodies.nativeError("Invalid include section: " + section));
        return;
      }
    }
    boolean all = include.contains("all");
    String rank = query.getOrDefault("dp_rank", "0");
    LoadSnapshot load = LoadSnapshot.of(call.context());
    WorkerSettings settings = call.context().settings();
    if ("prometheus".equals(query.get("format"))) {
      Responses.text(call, 200, "0".equals(rank) ? prometheus(load) : "");
      return;
    }
    ObjectNode body = Json.object();
    body.put("timestamp", TIMESTAMP.format(OffsetDateTime.now(ZoneOffset.UTC)));
    body.put("version", "fake");
    body.put("accelerator", "none");
    body.put("num_accelerators", 0);
    ArrayNode loads = body.putArray("loads");
    if ("0".equals(rank)) {
      ObjectNode entry = loads.addObject().put("dp_rank", 0);
      entry.put("num_running_reqs", load.runningRequests());
      entry.put("num_waiting_reqs", 0);
      entry.put("num_waiting_uncached_tokens", 0);
      entry.put("num_used_tokens", load.usedTokens());
      entry.put("num_total_tokens", load.usedTokens());
      entry.put("max_total_num_tokens", load.maxTotalTokens());
      entry.put("max_running_requests", settings.maxRunningRequests());
      entry.put("token_usage", load.tokenUsage());
      entry.put("gen_throughput", 0.0);
      entry.put("cache_hit_rate", load.cacheHitRate());
      entry.put("utilization", load.tokenUsage());
      if (all || include.contains("memory")) {
        entry.putObject("memory")
            .put("weight_gb", 0.0)
            .put("kv_cache_gb", 0.0)
            .put("graph_gb", 0.0)
            .put("token_capacity", load.maxTotalTokens());
      }
      if (all || include.contains("queues")) {
        entry.putObject("queues")
            .put("waiting", 0)
            .put("grammar", 0)
            .put("paused", 0)
            .put("retracted", 0);
      }
    }
    Responses.json(call, 200, body);
  }

  private static String prometheus(LoadSnapshot load) {
    return gauge("num_running_reqs", load.runningRequests())
        + gauge("num_waiting_reqs", 0)
        + gauge("num_used_tokens", load.usedTokens())
        + gauge("max_total_num_tokens", load.maxTotalTokens())
        + gauge("token_usage", load.tokenUsage())
        + gauge("cache_hit_rate", load.cacheHitRate());
  }

  private static String gauge(String name, double value) {
    return "sglang_" + name + "{dp_rank=\"0\"} " + value + "\n";
  }
}
