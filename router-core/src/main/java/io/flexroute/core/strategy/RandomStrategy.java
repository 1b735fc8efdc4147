package io.flexroute.core.strategy;

import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a candidate uniformly at random. O(1) per request; thread-safe, no shared state.
 *
 * <p>A baseline; prefer {@link PowerOfTwoStrategy}, which costs about the same and avoids hot spots.
 */
public final class RandomStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "random";

  /** Creates the strategy. */
  public RandomStrategy() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    return Choice.of(candidates.get(ThreadLocalRandom.current().nextInt(candidates.size())));
  }
}
