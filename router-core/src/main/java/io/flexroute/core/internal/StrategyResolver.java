package io.flexroute.core.internal;

import io.flexroute.RouterConfig;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds the strategy a configuration asks for: an instance given to the builder, else a provider
 * registered on the builder, else one discovered through {@link ServiceLoader} (highest priority
 * first, then class name).
 */
final class StrategyResolver {

  private StrategyResolver() {}

  static RoutingStrategy resolve(RouterConfig config) {
    RoutingStrategy given = config.strategy();
    if (given != null) {
      return given;
    }
    String name = config.strategyName();
    for (StrategyProvider p : config.strategyProviders()) {
      if (name.equals(p.name())) {
        return p.create();
      }
    }
    List<StrategyProvider> discovered = discover();
    for (StrategyProvider p : discovered) {
      if (name.equals(p.name())) {
        return p.create();
      }
    }
    TreeSet<String> known = new TreeSet<>();
    config.strategyProviders().forEach(p -> known.add(p.name()));
    discovered.forEach(p -> known.add(p.name()));
    throw new IllegalArgumentException(
        "strategy: unknown strategy '" + name + "'; available: " + known);
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
