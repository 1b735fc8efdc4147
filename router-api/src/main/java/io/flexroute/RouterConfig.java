package io.flexroute;

import io.flexroute.spi.RouterListener;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import io.flexroute.spi.Transport;
import io.flexroute.spi.WorkerDiscovery;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The validated settings a {@link RouterBuilder} hands to a {@link io.flexroute.spi.RouterFactory}.
 *
 * <p>Instances are immutable and thread-safe (the objects they refer to are the caller's).
 *
 * @param workers the initial workers, with unique ids
 * @param strategyName the name of the strategy to use, when no instance was given
 * @param strategy the strategy instance, when one was given
 * @param strategyProviders providers registered on the builder, which win over discovered ones
 * @param modelStrategyNames the strategies of models routed with their own strategy, by name
 * @param modelStrategies the strategy instances of models routed with their own strategy
 * @param transports transports given to the builder (the caller owns them); when empty, the router
 *     creates transports from the discovered {@link io.flexroute.spi.TransportProvider}s
 * @param listeners the event listeners
 * @param discoveries the worker discoveries to start
 * @param defaultTimeout the timeout of requests that set none
 * @param executor the executor for callbacks and stream delivery given by the caller (never closed by
 *     the router), or null for one the router creates and closes
 * @param loadPollInterval how often to read every worker's self-reported load, or null to not poll
 * @param retry when and how failed requests are tried again
 * @param circuitBreaker how each worker's circuit breaker opens and closes
 * @param healthChecks active and passive health checking, or null for none
 * @param admission concurrency limits and waiting
 * @param weightVersionOrder the order of weight versions, for version requirements
 */
public record RouterConfig(
    List<Worker> workers,
    String strategyName,
    @Nullable RoutingStrategy strategy,
    List<StrategyProvider> strategyProviders,
    Map<String, String> modelStrategyNames,
    Map<String, RoutingStrategy> modelStrategies,
    List<Transport> transports,
    List<RouterListener> listeners,
    List<WorkerDiscovery> discoveries,
    Duration defaultTimeout,
    @Nullable ExecutorService executor,
    @Nullable Duration loadPollInterval,
    RetryPolicy retry,
    CircuitBreakerPolicy circuitBreaker,
    @Nullable HealthCheckPolicy healthChecks,
    AdmissionPolicy admission,
    Comparator<String> weightVersionOrder) {

  /**
   * Validates the settings and copies the lists and maps.
   *
   * @param workers the initial workers, with unique ids
   * @param strategyName the name of the strategy to use, when no instance was given
   * @param strategy the strategy instance, when one was given
   * @param strategyProviders providers registered on the builder, which win over discovered ones
   * @param modelStrategyNames the strategies of models routed with their own strategy, by name
   * @param modelStrategies the strategy instances of models routed with their own strategy
   * @param transports transports given to the builder (the caller owns them); when empty, the
   *     router creates transports from the discovered {@link io.flexroute.spi.TransportProvider}s
   * @param listeners the event listeners
   * @param discoveries the worker discoveries to start
   * @param defaultTimeout the timeout of requests that set none
   * @param executor the executor for callbacks and stream delivery given by the caller (never
   *     closed by the router), or null for one the router creates and closes
   * @param loadPollInterval how often to read every worker's self-reported load, or null to not
   *     poll
   * @param retry when and how failed requests are tried again
   * @param circuitBreaker how each worker's circuit breaker opens and closes
   * @param healthChecks active and passive health checking, or null for none
   * @param admission concurrency limits and waiting
   * @param weightVersionOrder the order of weight versions, for version requirements
   * @throws NullPointerException if a setting other than {@code strategy}, {@code executor}, {@code
   *     loadPollInterval} or {@code healthChecks} is null, or a list or map holds null
   * @throws IllegalArgumentException if two workers share an id, or {@code defaultTimeout} or
   *     {@code loadPollInterval} is not positive or longer than 3650 days
   */
  public RouterConfig {
    Objects.requireNonNull(workers, "workers");
    Objects.requireNonNull(strategyName, "strategyName");
    Objects.requireNonNull(strategyProviders, "strategyProviders");
    Objects.requireNonNull(modelStrategyNames, "modelStrategyNames");
    Objects.requireNonNull(modelStrategies, "modelStrategies");
    Objects.requireNonNull(transports, "transports");
    Objects.requireNonNull(listeners, "listeners");
    Objects.requireNonNull(discoveries, "discoveries");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(circuitBreaker, "circuitBreaker");
    Objects.requireNonNull(admission, "admission");
    Objects.requireNonNull(weightVersionOrder, "weightVersionOrder");
    Durations.positive(Objects.requireNonNull(defaultTimeout, "defaultTimeout"), "defaultTimeout");
    if (loadPollInterval != null) {
      Durations.positive(loadPollInterval, "loadPollInterval");
    }
    Set<String> ids = new HashSet<>();
    for (Worker w : workers) {
      if (!ids.add(Objects.requireNonNull(w, "workers: null element").id())) {
        throw new IllegalArgumentException("workers: duplicate worker id '" + w.id() + "'");
      }
    }
    noNullElement(strategyProviders, "strategyProviders");
    noNullElement(transports, "transports");
    noNullElement(listeners, "listeners");
    noNullElement(discoveries, "discoveries");
    modelStrategyNames.forEach(
        (model, modelStrategyName) -> {
          Objects.requireNonNull(model, "modelStrategyNames: null model");
          Objects.requireNonNull(modelStrategyName, "modelStrategyNames: null strategy name");
        });
    modelStrategies.forEach(
        (model, modelStrategy) -> {
          Objects.requireNonNull(model, "modelStrategies: null model");
          Objects.requireNonNull(modelStrategy, "modelStrategies: null strategy");
        });
    workers = List.copyOf(workers);
    strategyProviders = List.copyOf(strategyProviders);
    modelStrategyNames = Collections.unmodifiableMap(new LinkedHashMap<>(modelStrategyNames));
    modelStrategies = Collections.unmodifiableMap(new LinkedHashMap<>(modelStrategies));
    transports = List.copyOf(transports);
    listeners = List.copyOf(listeners);
    discoveries = List.copyOf(discoveries);
  }

  private static void noNullElement(List<?> list, String field) {
    for (Object o : list) {
      Objects.requireNonNull(o, field + ": null element");
    }
  }
}
