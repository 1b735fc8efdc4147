package io.flexroute.core.strategy;

import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends requests to the candidates in turn. O(1) per request; thread-safe and lock-free.
 *
 * <p>Each candidate list (the router keeps one instance per eligible set: per model, role and
 * version requirement) has its own rotation, so requests for different models that interleave do
 * not skew each other: with one shared counter, two models alternating over two workers each
 * would send every request of a model to the same worker. A new list's rotation starts where a
 * shared sequence stands, so short-lived lists (such as a retry's list without the workers that
 * failed it) do not all start at their first worker. Rotations are kept for a bounded number of
 * lists; past that they start over.
 *
 * <p>Use it when workers are identical and requests are alike; it ignores load and cache affinity.
 */
public final class RoundRobinStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "round_robin";

  private final AtomicLong starts = new AtomicLong();
  private final ListCache<AtomicLong> rotations =
      new ListCache<>(list -> new AtomicLong(starts.getAndIncrement()));

  /** Creates the strategy. */
  public RoundRobinStrategy() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    AtomicLong rotation = rotations.get(candidates);
    int index = (int) Math.floorMod(rotation.getAndIncrement(), (long) candidates.size());
    return Choice.of(candidates.get(index));
  }
}
