package io.flexroute.core.strategy;

import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;

/**
 * The providers of the built-in strategies, registered for {@link java.util.ServiceLoader} in {@code
 * META-INF/services/io.flexroute.spi.StrategyProvider}.
 *
 * <p>Every provider is stateless and thread-safe; each {@code create()} returns a new strategy.
 */
public final class BuiltinStrategies {

  private BuiltinStrategies() {}

  /** Provides {@link RoundRobinStrategy} as {@value RoundRobinStrategy#NAME}. */
  public static final class RoundRobin implements StrategyProvider {
    /** Creates the provider. */
    public RoundRobin() {}

    @Override
    public String name() {
      return RoundRobinStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new RoundRobinStrategy();
    }
  }

  /** Provides {@link RandomStrategy} as {@value RandomStrategy#NAME}. */
  public static final class Random implements StrategyProvider {
    /** Creates the provider. */
    public Random() {}

    @Override
    public String name() {
      return RandomStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new RandomStrategy();
    }
  }

  /** Provides {@link LeastInFlightStrategy} as {@value LeastInFlightStrategy#NAME}. */
  public static final class LeastInFlight implements StrategyProvider {
    /** Creates the provider. */
    public LeastInFlight() {}

    @Override
    public String name() {
      return LeastInFlightStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new LeastInFlightStrategy();
    }
  }

  /** Provides {@link PowerOfTwoStrategy} as {@value PowerOfTwoStrategy#NAME}. */
  public static final class PowerOfTwo implements StrategyProvider {
    /** Creates the provider. */
    public PowerOfTwo() {}

    @Override
    public String name() {
      return PowerOfTwoStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new PowerOfTwoStrategy();
    }
  }

  /** Provides {@link WeightedRoundRobinStrategy} as {@value WeightedRoundRobinStrategy#NAME}. */
  public static final class WeightedRoundRobin implements StrategyProvider {
    /** Creates the provider. */
    public WeightedRoundRobin() {}

    @Override
    public String name() {
      return WeightedRoundRobinStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new WeightedRoundRobinStrategy();
    }
  }

  /** Provides {@link SessionAffinityStrategy} as {@value SessionAffinityStrategy#NAME}. */
  public static final class SessionAffinity implements StrategyProvider {
    /** Creates the provider. */
    public SessionAffinity() {}

    @Override
    public String name() {
      return SessionAffinityStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new SessionAffinityStrategy();
    }
  }

  /**
   * Provides {@link CacheAwareStrategy} as {@value CacheAwareStrategy#NAME} with its default
   * settings.
   */
  public static final class CacheAware implements StrategyProvider {
    /** Creates the provider. */
    public CacheAware() {}

    @Override
    public String name() {
      return CacheAwareStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new CacheAwareStrategy();
    }
  }

  /**
   * Provides {@link ShortestTtftStrategy} as {@value ShortestTtftStrategy#NAME} with its default
   * settings.
   */
  public static final class ShortestTtft implements StrategyProvider {
    /** Creates the provider. */
    public ShortestTtft() {}

    @Override
    public String name() {
      return ShortestTtftStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new ShortestTtftStrategy();
    }
  }

  /**
   * Provides {@link LeastTokenWorkStrategy} as {@value LeastTokenWorkStrategy#NAME} with its
   * default settings.
   */
  public static final class LeastTokenWork implements StrategyProvider {
    /** Creates the provider. */
    public LeastTokenWork() {}

    @Override
    public String name() {
      return LeastTokenWorkStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new LeastTokenWorkStrategy();
    }
  }

  /**
   * Provides {@link PeakEwmaStrategy} as {@value PeakEwmaStrategy#NAME} with its default settings.
   */
  public static final class PeakEwma implements StrategyProvider {
    /** Creates the provider. */
    public PeakEwma() {}

    @Override
    public String name() {
      return PeakEwmaStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new PeakEwmaStrategy();
    }
  }

  /**
   * Provides {@link ConsistentHashStrategy} as {@value ConsistentHashStrategy#NAME} with its
   * default settings.
   */
  public static final class ConsistentHash implements StrategyProvider {
    /** Creates the provider. */
    public ConsistentHash() {}

    @Override
    public String name() {
      return ConsistentHashStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new ConsistentHashStrategy();
    }
  }

  /**
   * Provides {@link PriorityFailoverStrategy} as {@value PriorityFailoverStrategy#NAME} around
   * {@link PowerOfTwoStrategy}.
   */
  public static final class PriorityFailover implements StrategyProvider {
    /** Creates the provider. */
    public PriorityFailover() {}

    @Override
    public String name() {
      return PriorityFailoverStrategy.NAME;
    }

    @Override
    public RoutingStrategy create() {
      return new PriorityFailoverStrategy();
    }
  }
}
