package io.flexroute.core.strategy;

import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends requests to the candidates in turn. O(1) per request; thread-safe and lock-free (one shared
 * atomic counter).
 *
 * <p>Use it when workers are identical and requests are alike; it ignores load and cache affinity.
 */
public final class RoundRobinStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "round_robin";

  private final AtomicLong next = new AtomicLong();

  /** Creates the strategy. */
  public RoundRobinStrategy() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    int index = (int) Math.floorMod(next.getAndIncrement(), (long) candidates.size());
    return Choice.of(candidates.get(index));
  }
}
