package io.flexroute.core;

import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Publishes the router's metrics to a Micrometer {@link MeterRegistry}; add it to the router with
 * {@code Router.builder().listener(new MicrometerRouterMetrics(registry))}.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>Meaning</th></tr>
 *   <tr><td>{@code flexroute.requests}</td><td>timer</td><td>operation, worker, outcome</td>
 *       <td>requests by outcome and their duration from submission to the end</td></tr>
 *   <tr><td>{@code flexroute.ttft}</td><td>timer</td><td>operation, worker</td>
 *       <td>time to the first chunk of streams</td></tr>
 *   <tr><td>{@code flexroute.tokens}</td><td>counter</td><td>worker, type (prompt, completion,
 *       cached)</td><td>tokens the workers reported</td></tr>
 *   <tr><td>{@code flexroute.selections}</td><td>counter</td><td>strategy, worker</td>
 *       <td>routing decisions</td></tr>
 *   <tr><td>{@code flexroute.worker.inflight}</td><td>gauge</td><td>worker</td>
 *       <td>requests in flight on a worker</td></tr>
 *   <tr><td>{@code flexroute.worker.inflight.tokens}</td><td>gauge</td><td>worker</td>
 *       <td>estimated prompt tokens in flight on a worker</td></tr>
 *   <tr><td>{@code flexroute.worker.healthy}</td><td>gauge</td><td>worker</td>
 *       <td>1 while a worker takes requests, else 0</td></tr>
 * </table>
 *
 * <p>The {@code worker} tag is the worker id, {@code none} for requests rejected before a worker was
 * chosen; tags never hold request ids, prompts or users, so cardinality stays bounded by the fleet.
 * Meters are created once per tag combination and cached. Gauges of a removed worker are removed.
 *
 * <p>Thread-safe. The registry belongs to the caller; this class never closes it.
 */
public final class MicrometerRouterMetrics extends RouterListener {

  /** Prefix of every meter name. */
  public static final String PREFIX = "flexroute";

  private final MeterRegistry registry;
  private final ConcurrentHashMap<List<String>, Timer> requestTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Timer> ttftTimers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> workerGauges = new ConcurrentHashMap<>();

  /**
   * Creates the metrics publisher.
   *
   * @param registry the registry to publish to
   */
  public MicrometerRouterMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void workerSelected(RequestView request, WorkerView worker, String strategy) {
    counter(PREFIX + ".selections", "strategy", strategy, "worker", worker.id()).increment();
  }

  @Override
  public void firstChunk(RequestView request, WorkerView worker, Duration timeToFirstChunk) {
    String op = request.operation().tagValue();
    ttftTimers
        .computeIfAbsent(
            List.of(op, worker.id()),
            k ->
                Timer.builder(PREFIX + ".ttft")
                    .description("Time from submission to the first chunk of a stream")
                    .tags("operation", op, "worker", worker.id())
                    .register(registry))
        .record(timeToFirstChunk);
  }

  @Override
  public void requestFinished(
      RequestView request,
      @Nullable WorkerView worker,
      RequestOutcome outcome,
      Duration duration,
      @Nullable TokenUsage usage,
      @Nullable Throwable error) {
    String op = request.operation().tagValue();
    String workerId = worker == null ? "none" : worker.id();
    String result = outcome.tagValue();
    requestTimers
        .computeIfAbsent(
            List.of(op, workerId, result),
            k ->
                Timer.builder(PREFIX + ".requests")
                    .description("Routed requests, by outcome, with their duration")
                    .tags("operation", op, "worker", workerId, "outcome", result)
                    .register(registry))
        .record(duration);
    if (usage != null) {
      tokens(workerId, "prompt", usage.promptTokens());
      tokens(workerId, "completion", usage.completionTokens());
      tokens(workerId, "cached", usage.cachedTokens());
    }
  }

  private void tokens(String workerId, String type, int count) {
    if (count > 0) {
      counter(PREFIX + ".tokens", "worker", workerId, "type", type).increment(count);
    }
  }

  private Counter counter(String name, String k1, String v1, String k2, String v2) {
    return counters.computeIfAbsent(
        List.of(name, v1, v2),
        k -> Counter.builder(name).tags(k1, v1, k2, v2).register(registry));
  }

  @Override
  public void workerAdded(WorkerView worker) {
    Tags tags = Tags.of("worker", worker.id());
    List<Meter> gauges =
        List.of(
            Gauge.builder(PREFIX + ".worker.inflight", worker, WorkerView::inFlightRequests)
                .description("Requests in flight on the worker")
                .tags(tags)
                .register(registry),
            Gauge.builder(PREFIX + ".worker.inflight.tokens", worker, WorkerView::inFlightTokens)
                .description("Estimated prompt tokens in flight on the worker")
                .tags(tags)
                .register(registry),
            Gauge.builder(
                    PREFIX + ".worker.healthy", worker, w -> w.health().acceptsRequests() ? 1 : 0)
                .description("1 while the worker takes new requests")
                .tags(tags)
                .register(registry));
    workerGauges.put(worker.id(), gauges);
  }

  @Override
  public void workerRemoved(WorkerView worker) {
    List<Meter> gauges = workerGauges.remove(worker.id());
    if (gauges != null) {
      gauges.forEach(registry::remove);
    }
  }

  @Override
  public void routerClosed(List<Worker> workers) {
    for (List<Meter> gauges : workerGauges.values()) {
      gauges.forEach(registry::remove);
    }
    workerGauges.clear();
  }
}
