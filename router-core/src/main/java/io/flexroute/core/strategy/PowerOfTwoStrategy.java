package io.flexroute.core.strategy;

import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Samples two distinct candidates at random and takes the one with fewer requests in flight (ties:
 * the lower latency average, then the first sampled).
 *
 * <p>O(1) per request whatever the fleet size, thread-safe, no shared state. It keeps the maximum
 * load within a small constant of the mean (the "power of two choices"), avoids the herding of
 * least-loaded under concurrent bursts, and is the default strategy.
 */
public final class PowerOfTwoStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "power_of_two";

  /** Creates the strategy. */
  public PowerOfTwoStrategy() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    int n = candidates.size();
    if (n == 1) {
      return Choice.of(candidates.get(0));
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int i = random.nextInt(n);
    int j = random.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    WorkerView a = candidates.get(i);
    WorkerView b = candidates.get(j);
    int loadA = a.inFlightRequests();
    int loadB = b.inFlightRequests();
    if (loadA != loadB) {
      return Choice.of(loadA < loadB ? a : b);
    }
    long latencyA = a.ewmaLatencyNanos();
    long latencyB = b.ewmaLatencyNanos();
    return Choice.of(latencyB != 0 && latencyB < latencyA ? b : a);
  }
}
