package io.flexroute.core.strategy;

import io.flexroute.core.strategy.internal.LeastInFlight;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the candidate with the fewest requests in flight, then the fewest in-flight prompt tokens.
 *
 * <p>It scans the candidates starting at a random position, so that ties do not always go to the
 * first worker, and stops at the first idle one (no requests and no tokens in flight), which nothing
 * can beat. An exact minimum over a busy fleet needs the full scan: O(n) per request. On the
 * router's own candidate lists the scan reads the router's packed in-flight counters directly (a few
 * nanoseconds per candidate); on other lists it reads each view. The counts are the router's own
 * in-flight guards, released exactly once per request, so the strategy cannot drift. Thread-safe and
 * lock-free. Use it for long, uneven requests (RL rollouts, agents), as the slime router does.
 */
public final class LeastInFlightStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "least_inflight";

  /** Creates the strategy. */
  public LeastInFlightStrategy() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    int n = candidates.size();
    int start = n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
    return Choice.of(candidates.get(LeastInFlight.index(candidates, start)));
  }
}
