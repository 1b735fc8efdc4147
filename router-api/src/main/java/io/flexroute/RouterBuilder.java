package io.flexroute;

import io.flexroute.spi.RouterFactory;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import io.flexroute.spi.Transport;
import io.flexroute.spi.WorkerDiscovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Configures and builds a {@link Router}. Obtain one with {@link Router#builder()}.
 *
 * <p>Every setter validates its argument at once and names the field in its {@link
 * IllegalArgumentException}. Builders are not thread-safe; the routers they build are.
 */
public final class RouterBuilder {

  /** The strategy used when none is set. */
  public static final String DEFAULT_STRATEGY = "power_of_two";

  /** The request timeout used when neither the builder nor the request sets one. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, Worker> workers = new LinkedHashMap<>();
  private String strategyName = DEFAULT_STRATEGY;
  private @Nullable RoutingStrategy strategy;
  private final List<StrategyProvider> strategyProviders = new ArrayList<>();
  private final Map<String, String> modelStrategyNames = new LinkedHashMap<>();
  private final Map<String, RoutingStrategy> modelStrategies = new LinkedHashMap<>();
  private final List<Transport> transports = new ArrayList<>();
  private final List<RouterListener> listeners = new ArrayList<>();
  private final List<WorkerDiscovery> discoveries = new ArrayList<>();
  private Duration defaultTimeout = DEFAULT_TIMEOUT;
  private @Nullable ExecutorService executor;
  private @Nullable Duration loadPollInterval;
  private RetryPolicy retry = RetryPolicy.defaults();
  private CircuitBreakerPolicy circuitBreaker = CircuitBreakerPolicy.defaults();
  private @Nullable HealthCheckPolicy healthChecks;
  private AdmissionPolicy admission = AdmissionPolicy.defaults();
  private Comparator<String> weightVersionOrder = WeightVersions.naturalOrder();

  RouterBuilder() {}

  /**
   * Adds an initial worker.
   *
   * @param worker the worker
   * @return this builder
   * @throws IllegalArgumentException if a worker with the same id was already added
   */
  public RouterBuilder worker(Worker worker) {
    Objects.requireNonNull(worker, "worker");
    if (workers.putIfAbsent(worker.id(), worker) != null) {
      throw new IllegalArgumentException("workers: duplicate worker id '" + worker.id() + "'");
    }
    return this;
  }

  /**
   * Adds an initial worker with default settings (SGLang flavour, any model).
   *
   * @param id a unique id
   * @param baseUrl the worker's base URL
   * @return this builder
   * @throws IllegalArgumentException if the id is taken or blank, or the URL is malformed
   */
  public RouterBuilder worker(String id, String baseUrl) {
    return worker(Worker.of(id, baseUrl));
  }

  /**
   * Adds initial workers.
   *
   * @param workers the workers
   * @return this builder
   * @throws IllegalArgumentException if two workers share an id
   */
  public RouterBuilder workers(Collection<Worker> workers) {
    for (Worker w : workers) {
      worker(w);
    }
    return this;
  }

  /**
   * Selects the strategy by name, among the providers registered here and those discovered through
   * {@link java.util.ServiceLoader}. Default {@value #DEFAULT_STRATEGY}. Built-in names (see
   * {@code docs/strategies.md}): {@code round_robin}, {@code random}, {@code least_inflight}, {@code
   * power_of_two}, {@code weighted_round_robin}, {@code session_affinity}, {@code cache_aware},
   * {@code shortest_ttft}, {@code least_token_work}, {@code peak_ewma}, {@code consistent_hash},
   * {@code priority_failover}. Built-in strategies selected by name use their default settings;
   * pass an instance to {@link #strategy(RoutingStrategy)} to configure one.
   *
   * @param name the strategy name
   * @return this builder
   * @throws IllegalArgumentException if the name is blank
   */
  public RouterBuilder strategy(String name) {
    Objects.requireNonNull(name, "strategy");
    if (name.isBlank()) {
      throw new IllegalArgumentException("strategy name must not be blank");
    }
    this.strategyName = name;
    this.strategy = null;
    return this;
  }

  /**
   * Uses this strategy instance (it wins over a strategy name).
   *
   * @param strategy the strategy
   * @return this builder
   */
  public RouterBuilder strategy(RoutingStrategy strategy) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.strategyName = Objects.requireNonNull(strategy.name(), "strategy.name()");
    return this;
  }

  /**
   * Routes the requests for one model with their own strategy, selected by name like {@link
   * #strategy(String)}; requests for other models (and those that name none) use the router's
   * strategy. A later call for the same model replaces the earlier one.
   *
   * <pre>{@code
   * Router.builder()
   *     .strategy("power_of_two")
   *     .strategyForModel("qwen3-8b", "cache_aware")
   *     .strategyForModel("embedder", "round_robin")
   * }</pre>
   *
   * @param model the model name, as requests give it
   * @param strategyName the strategy's name
   * @return this builder
   * @throws IllegalArgumentException if the model or the name is blank
   */
  public RouterBuilder strategyForModel(String model, String strategyName) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(strategyName, "strategyName");
    if (model.isBlank()) {
      throw new IllegalArgumentException("strategyForModel: model must not be blank");
    }
    if (strategyName.isBlank()) {
      throw new IllegalArgumentException(
          "strategyForModel: strategy name for model '" + model + "' must not be blank");
    }
    modelStrategies.remove(model);
    modelStrategyNames.put(model, strategyName);
    return this;
  }

  /**
   * Routes the requests for one model with this strategy instance (for example a strategy built
   * with a non-default configuration); other models use the router's strategy. A later call for
   * the same model replaces the earlier one.
   *
   * @param model the model name, as requests give it
   * @param strategy the strategy
   * @return this builder
   * @throws IllegalArgumentException if the model is blank
   */
  public RouterBuilder strategyForModel(String model, RoutingStrategy strategy) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(strategy, "strategy");
    if (model.isBlank()) {
      throw new IllegalArgumentException("strategyForModel: model must not be blank");
    }
    modelStrategyNames.remove(model);
    modelStrategies.put(model, strategy);
    return this;
  }

  /**
   * Registers a strategy provider, selectable by its name; it wins over discovered providers of the
   * same name.
   *
   * @param provider the provider
   * @return this builder
   */
  public RouterBuilder registerStrategy(StrategyProvider provider) {
    strategyProviders.add(Objects.requireNonNull(provider, "provider"));
    return this;
  }

  /**
   * Adds a transport. Without any, the router creates one from each discovered {@link
   * io.flexroute.spi.TransportProvider}. A transport given here belongs to the caller and is not
   * closed by the router.
   *
   * @param transport the transport
   * @return this builder
   */
  public RouterBuilder transport(Transport transport) {
    transports.add(Objects.requireNonNull(transport, "transport"));
    return this;
  }

  /**
   * Adds an event listener (metrics, tracing, logging).
   *
   * @param listener the listener
   * @return this builder
   */
  public RouterBuilder listener(RouterListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Adds a worker discovery, started when the router is built.
   *
   * @param discovery the discovery
   * @return this builder
   */
  public RouterBuilder discovery(WorkerDiscovery discovery) {
    discoveries.add(Objects.requireNonNull(discovery, "discovery"));
    return this;
  }

  /**
   * Sets the timeout of requests that set none. Default 60 seconds.
   *
   * @param timeout a positive duration of at most 3650 days
   * @return this builder
   * @throws IllegalArgumentException if not positive, or longer than 3650 days
   */
  public RouterBuilder defaultTimeout(Duration timeout) {
    this.defaultTimeout = Durations.positive(timeout, "defaultTimeout");
    return this;
  }

  /**
   * Sets the executor that completes asynchronous calls and delivers published streams. The caller
   * keeps ownership: the router never shuts it down. Default: a pool of daemon threads the router
   * creates and shuts down on close.
   *
   * @param executor the executor
   * @return this builder
   */
  public RouterBuilder executor(ExecutorService executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Reads every worker's self-reported load (running and waiting requests, KV-cache usage) at this
   * interval (each round started by the router's timer thread, the polls sent from its executor),
   * and shows it to strategies as {@link io.flexroute.spi.WorkerView#reportedLoad()}. Default: no
   * polling.
   *
   * @param interval a positive duration of at least 10 milliseconds, or null to stop polling
   * @return this builder
   * @throws IllegalArgumentException if the interval is shorter than 10 milliseconds or longer
   *     than 3650 days
   */
  public RouterBuilder loadPolling(@Nullable Duration interval) {
    if (interval != null && interval.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException(
          "loadPolling interval must be at least 10 ms, but was " + interval);
    }
    if (interval != null) {
      Durations.atMostMax(interval, "loadPolling interval");
    }
    this.loadPollInterval = interval;
    return this;
  }

  /**
   * Sets when and how failed requests are tried again. Default {@link RetryPolicy#defaults()} (3
   * attempts); {@link RetryPolicy#disabled()} turns retries off.
   *
   * @param retry the policy
   * @return this builder
   */
  public RouterBuilder retry(RetryPolicy retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return this;
  }

  /**
   * Sets how each worker's circuit breaker opens and closes. Default {@link
   * CircuitBreakerPolicy#defaults()}; {@link CircuitBreakerPolicy#disabled()} turns breakers off.
   *
   * @param circuitBreaker the policy
   * @return this builder
   */
  public RouterBuilder circuitBreaker(CircuitBreakerPolicy circuitBreaker) {
    this.circuitBreaker = Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    return this;
  }

  /**
   * Turns on active and passive health checking with this policy. Default: off (breakers still
   * protect against failing workers).
   *
   * @param healthChecks the policy, or null to turn checking off
   * @return this builder
   */
  public RouterBuilder healthChecks(@Nullable HealthCheckPolicy healthChecks) {
    this.healthChecks = healthChecks;
    return this;
  }

  /**
   * Sets concurrency limits and waiting. Default {@link AdmissionPolicy#defaults()}: no limits, no
   * waiting.
   *
   * @param admission the policy
   * @return this builder
   */
  public RouterBuilder admission(AdmissionPolicy admission) {
    this.admission = Objects.requireNonNull(admission, "admission");
    return this;
  }

  /**
   * Sets the order of weight versions, used to decide whether a worker meets a request's {@link
   * InferenceRequest#minWeightVersion()} and whether a version a worker reports is newer than the
   * one the router knew. Default {@link WeightVersions#naturalOrder()}. It must be consistent with
   * {@link String#equals}, thread-safe and must not throw; versions must increase under it as
   * training proceeds.
   *
   * @param order the comparator
   * @return this builder
   */
  public RouterBuilder weightVersionOrder(Comparator<String> order) {
    this.weightVersionOrder = Objects.requireNonNull(order, "weightVersionOrder");
    return this;
  }

  /**
   * Builds the router with the implementation found on the class path ({@code router-core}).
   *
   * @return the router; close it when done
   * @throws IllegalArgumentException if there are no workers and no discovery, or the strategy name
   *     is unknown
   * @throws IllegalStateException if no router implementation or no transport is on the class
   *     path, or a strategy provider fails to create its strategy
   */
  public Router build() {
    if (workers.isEmpty() && discoveries.isEmpty()) {
      throw new IllegalArgumentException(
          "workers: at least one worker or a discovery is required");
    }
    RouterConfig config =
        new RouterConfig(
            List.copyOf(workers.values()),
            strategyName,
            strategy,
            strategyProviders,
            modelStrategyNames,
            modelStrategies,
            transports,
            listeners,
            discoveries,
            defaultTimeout,
            executor,
            loadPollInterval,
            retry,
            circuitBreaker,
            healthChecks,
            admission,
            weightVersionOrder);
    return findFactory().create(config);
  }

  private static RouterFactory findFactory() {
    List<RouterFactory> factories = new ArrayList<>();
    ServiceLoader.load(RouterFactory.class, RouterFactory.class.getClassLoader())
        .forEach(factories::add);
    if (factories.isEmpty()) {
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      if (context != null) {
        ServiceLoader.load(RouterFactory.class, context).forEach(factories::add);
      }
    }
    return factories.stream()
        .max(
            Comparator.comparingInt(RouterFactory::priority)
                .thenComparing(f -> f.getClass().getName(), Comparator.reverseOrder()))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no Router implementation found: add io.flexroute:router-core to the class path"));
  }
}
