package io.flexroute.core.internal;

import io.flexroute.RouterConfig;
import io.flexroute.core.strategy.PerModelStrategy;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds the strategy a configuration asks for: an instance given to the builder, else a provider
 * registered on the builder, else one discovered through {@link ServiceLoader} (highest priority
 * first, then class name). Models with their own strategy get a {@link PerModelStrategy} around
 * the default one.
 */
final class StrategyResolver {

  private StrategyResolver() {}

  static RoutingStrategy resolve(RouterConfig config) {
    List<StrategyProvider> discovered = null;
    RoutingStrategy fallback = config.strategy();
    if (fallback == null) {
      discovered = discover();
      fallback = byName(config.strategyName(), config, discovered, "strategy");
    }
    if (config.modelStrategyNames().isEmpty() && config.modelStrategies().isEmpty()) {
      return fallback;
    }
    PerModelStrategy.Builder perModel = PerModelStrategy.builder(fallback);
    for (Map.Entry<String, String> e : config.modelStrategyNames().entrySet()) {
      if (discovered == null) {
        discovered = discover();
      }
      perModel.model(
          e.getKey(),
          byName(e.getValue(), config, discovered, "strategyForModel('" + e.getKey() + "')"));
    }
    for (Map.Entry<String, RoutingStrategy> e : config.modelStrategies().entrySet()) {
      perModel.model(e.getKey(), e.getValue());
    }
    return perModel.build();
  }

  /** A new strategy from the provider of this name: the builder's first, then discovered ones. */
  private static RoutingStrategy byName(
      String name, RouterConfig config, List<StrategyProvider> discovered, String field) {
    for (StrategyProvider p : config.strategyProviders()) {
      if (name.equals(p.name())) {
        return create(p, name, field);
      }
    }
    for (StrategyProvider p : discovered) {
      if (name.equals(p.name())) {
        return create(p, name, field);
      }
    }
    TreeSet<String> known = new TreeSet<>();
    config.strategyProviders().forEach(p -> addName(known, p));
    discovered.forEach(p -> addName(known, p));
    throw new IllegalArgumentException(
        field + ": unknown strategy '" + name + "'; available: " + known);
  }

  /** A provider's strategy, or a failure of building the router that names the provider. */
  private static RoutingStrategy create(StrategyProvider provider, String name, String field) {
    RoutingStrategy strategy;
    try {
      strategy = provider.create();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          field + ": the provider of strategy '" + name + "' (" + provider.getClass().getName()
              + ") failed to create it: " + e, e);
    }
    if (strategy == null) {
      throw new IllegalStateException(
          field + ": the provider of strategy '" + name + "' (" + provider.getClass().getName()
              + ") returned null");
    }
    return strategy;
  }

  private static void addName(TreeSet<String> known, StrategyProvider provider) {
    String name = provider.name();
    if (name != null) {
      known.add(name);
    }
  }

  static List<StrategyProvider> discover() {
    List<StrategyProvider> found = new ArrayList<>();
    ServiceLoader.load(StrategyProvider.class, StrategyProvider.class.getClassLoader())
        .forEach(found::add);
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null && context != StrategyProvider.class.getClassLoader()) {
      for (StrategyProvider p : ServiceLoader.load(StrategyProvider.class, context)) {
        if (found.stream().noneMatch(f -> f.getClass() == p.getClass())) {
          found.add(p);
        }
      }
    }
    found.sort(
        Comparator.comparingInt(StrategyProvider::priority)
            .reversed()
            .thenComparing(p -> p.getClass().getName()));
    return found;
  }
}
