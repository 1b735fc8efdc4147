package io.flexroute.core;

import io.flexroute.HealthState;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestRejectedException;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.BreakerState;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *       <td>1 while a worker's health state takes requests, else 0</td></tr>
 *   <tr><td>{@code flexroute.worker.breaker.state}</td><td>gauge</td><td>worker</td>
 *       <td>the worker's circuit breaker: 0 closed, 1 half-open, 2 open</td></tr>
 *   <tr><td>{@code flexroute.worker.parked}</td><td>gauge</td><td>worker</td>
 *       <td>1 while the worker is parked after a 429 (or a 503 with {@code Retry-After})</td></tr>
 *   <tr><td>{@code flexroute.retries}</td><td>counter</td><td>worker, cause</td>
 *       <td>retries scheduled (and token streams resumed), by the worker whose attempt failed and
 *       the failure: {@code http_<status>}, {@code connection}, {@code malformed_response},
 *       {@code stream_error}, {@code weight_version}</td></tr>
 *   <tr><td>{@code flexroute.breaker.transitions}</td><td>counter</td><td>worker, state</td>
 *       <td>circuit breaker changes, by the state entered: {@code open}, {@code half_open},
 *       {@code closed}</td></tr>
 *   <tr><td>{@code flexroute.worker.health.transitions}</td><td>counter</td><td>worker, state</td>
 *       <td>health changes, by the state entered: {@code healthy}, {@code unhealthy},
 *       {@code draining}</td></tr>
 *   <tr><td>{@code flexroute.rejections}</td><td>counter</td><td>reason</td>
 *       <td>requests refused by the router (outcome {@code rejected}): {@code no_worker},
 *       {@code queue_full}, {@code wait_timeout}, {@code limit_reached}, {@code closed}, {@code
 *       unsupported}, {@code weight_version} (the last answer's weights were older than the
 *       request's minimum)</td></tr>
 * </table>
 *
 * <p>The {@code worker} tag is the worker id, {@code none} for requests rejected before a worker was
 * chosen; tags never hold request ids, prompts or users, so cardinality stays bounded by the fleet.
 * Meters are created once per tag combination and cached. Every meter of a removed worker (gauges,
 * counters, timers) is removed with it, so a fleet whose worker ids change (pods replaced) does not
 * leave their series behind; a closed router's gauges are removed, its counters and timers kept.
 * Use one instance per router and registry: two routers publishing the same worker ids to one
 * registry would share those meters.
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
  private final ConcurrentHashMap<String, Counter> rejections = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> workerGauges = new ConcurrentHashMap<>();
  // Counters and timers tagged with each worker, removed with the worker.
  private final Map<String, Set<Meter>> workerMeters = new ConcurrentHashMap<>();

  /**
   * Creates the metrics publisher.
   *
   * @param registry the registry to publish to
   */
  public MicrometerRouterMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void retryScheduled(
      RequestView request,
      WorkerView failedWorker,
      Throwable error,
      int nextAttempt,
      Duration backoff) {
    counter(PREFIX + ".retries", "worker", failedWorker.id(), "cause", causeOf(error)).increment();
  }

  private static String causeOf(Throwable error) {
    if (error instanceof WorkerException we) {
      return we.kind() == WorkerException.Kind.HTTP_STATUS
          ? "http_" + we.statusCode()
          : we.kind().name().toLowerCase(Locale.ROOT);
    }
    return "other";
  }

  @Override
  public void breakerStateChanged(WorkerView worker, BreakerState previous, BreakerState current) {
    counter(
            PREFIX + ".breaker.transitions",
            "worker", worker.id(),
            "state", current.name().toLowerCase(Locale.ROOT))
        .increment();
  }

  @Override
  public void healthChanged(WorkerView worker, HealthState previous, HealthState current) {
    if (current == HealthState.REMOVED) {
      return;
    }
    counter(
            PREFIX + ".worker.health.transitions",
            "worker", worker.id(),
            "state", current.name().toLowerCase(Locale.ROOT))
        .increment();
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
                tracked(
                    worker.id(),
                    Timer.builder(PREFIX + ".ttft")
                        .description("Time from submission to the first chunk of a stream")
                        .tags("operation", op, "worker", worker.id())
                        .register(registry)))
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
                tracked(
                    workerId,
                    Timer.builder(PREFIX + ".requests")
                        .description("Routed requests, by outcome, with their duration")
                        .tags("operation", op, "worker", workerId, "outcome", result)
                        .register(registry)))
        .record(duration);
    // Only requests the router refused: one it cancelled at close after a worker had it is not.
    String rejection = outcome == RequestOutcome.REJECTED ? rejectionOf(error) : null;
    if (rejection != null) {
      rejections
          .computeIfAbsent(
              rejection,
              reason ->
                  Counter.builder(PREFIX + ".rejections")
                      .description("Requests the router refused, by reason")
                      .tags("reason", reason)
                      .register(registry))
          .increment();
    }
    if (usage != null) {
      tokens(workerId, "prompt", usage.promptTokens());
      tokens(workerId, "completion", usage.completionTokens());
      tokens(workerId, "cached", usage.cachedTokens());
    }
  }

  private static @Nullable String rejectionOf(@Nullable Throwable error) {
    if (error instanceof RequestRejectedException rejected) {
      return rejected.reason().name().toLowerCase(Locale.ROOT);
    }
    if (error instanceof NoEligibleWorkerException) {
      return "no_worker";
    }
    if (error instanceof WorkerException we && we.kind() == WorkerException.Kind.WEIGHT_VERSION) {
      return "weight_version"; // the answer was refused: its weights were older than required
    }
    return null;
  }

  private void tokens(String workerId, String type, int count) {
    if (count > 0) {
      counter(PREFIX + ".tokens", "worker", workerId, "type", type).increment(count);
    }
  }

  private Counter counter(String name, String k1, String v1, String k2, String v2) {
    return counters.computeIfAbsent(
        List.of(name, v1, v2),
        k -> {
          Counter c = Counter.builder(name).tags(k1, v1, k2, v2).register(registry);
          return "worker".equals(k1) ? tracked(v1, c) : "worker".equals(k2) ? tracked(v2, c) : c;
        });
  }

  /** Records a meter tagged with a worker, to remove it with the worker. */
  private <M extends Meter> M tracked(String workerId, M meter) {
    if (!"none".equals(workerId)) {
      workerMeters.computeIfAbsent(workerId, id -> ConcurrentHashMap.newKeySet()).add(meter);
    }
    return meter;
  }

  @Override
  public void workerAdded(WorkerView worker) {
    // The router tells a worker's removal before the addition of a new worker with its id; a
    // listener shared by two routers may still see an id twice. Meters registered again under the
    // same name and tags would be the old ones, reading the old view, so those go first.
    workerRemoved(worker);
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
                .description("1 while the worker's health state takes new requests")
                .tags(tags)
                .register(registry),
            Gauge.builder(PREFIX + ".worker.breaker.state", worker, MicrometerRouterMetrics::breaker)
                .description("The worker's circuit breaker: 0 closed, 1 half-open, 2 open")
                .tags(tags)
                .register(registry),
            Gauge.builder(PREFIX + ".worker.parked", worker, MicrometerRouterMetrics::parked)
                .description("1 while the worker is parked after a rate limit")
                .tags(tags)
                .register(registry));
    workerGauges.put(worker.id(), gauges);
  }

  private static double breaker(WorkerView worker) {
    return switch (worker.breakerState()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  private static double parked(WorkerView worker) {
    long until = worker.parkedUntilNanos();
    return until != Long.MIN_VALUE && until - System.nanoTime() > 0 ? 1 : 0;
  }

  @Override
  public void workerRemoved(WorkerView worker) {
    removeGauges(worker.id());
    Set<Meter> meters = workerMeters.remove(worker.id());
    if (meters != null) {
      counters.values().removeIf(meters::contains);
      requestTimers.values().removeIf(meters::contains);
      ttftTimers.values().removeIf(meters::contains);
      meters.forEach(registry::remove);
    }
  }

  /** Removes the gauges of the closed router's workers (another router may share this object). */
  @Override
  public void routerClosed(List<Worker> workers) {
    for (Worker w : workers) {
      removeGauges(w.id());
    }
  }

  private void removeGauges(String workerId) {
    List<Meter> gauges = workerGauges.remove(workerId);
    if (gauges != null) {
      gauges.forEach(registry::remove);
    }
  }
}
