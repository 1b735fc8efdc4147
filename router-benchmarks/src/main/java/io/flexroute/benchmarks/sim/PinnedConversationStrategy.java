package io.flexroute.benchmarks.sim;

import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A reference point, not a built-in strategy: each conversation (routing key) stays for good on the
 * worker that had the fewest requests in flight when its first turn arrived. It shows how much
 * cache reuse perfect conversation affinity gets on a trace.
 *
 * <p>Not thread-safe: the replay calls it from one thread.
 */
final class PinnedConversationStrategy implements RoutingStrategy {

  static final String NAME = "pinned_conversation";

  private final Map<String, WorkerView> pinned = new HashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    String key = request.routingKey();
    WorkerView w = key == null ? null : pinned.get(key);
    if (w == null) {
      w = candidates.get(0);
      for (WorkerView c : candidates) {
        if (c.inFlightRequests() < w.inFlightRequests()) {
          w = c;
        }
      }
      if (key != null) {
        pinned.put(key, w);
      }
    }
    return Choice.of(w);
  }

  @Override
  public void onComplete(RequestFeedback feedback) {}
}
