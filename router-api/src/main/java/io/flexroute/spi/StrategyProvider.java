package io.flexroute.spi;

/**
 * Creates a {@link RoutingStrategy} by name; the unit of registration on the router builder and of
 * discovery through {@link java.util.ServiceLoader}.
 *
 * <p>To make a strategy discoverable, give the provider a public no-argument constructor and list it
 * in {@code META-INF/services/io.flexroute.spi.StrategyProvider}. When two providers have the same
 * name, one registered on the builder wins over a discovered one, and among discovered ones the
 * higher {@link #priority()} wins (ties: the class name that sorts first). Implementations must be
 * thread-safe.
 */
public interface StrategyProvider {

  /**
   * The name the strategy is selected by, lowercase snake case.
   *
   * @return the name
   */
  String name();

  /**
   * Creates a new strategy instance; each router gets its own.
   *
   * @return the strategy
   */
  RoutingStrategy create();

  /**
   * The priority among providers with the same name, from 0 to 10. Default 5.
   *
   * @return the priority
   */
  default int priority() {
    return 5;
  }
}
