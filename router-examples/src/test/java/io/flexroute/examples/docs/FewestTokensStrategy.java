package io.flexroute.examples.docs;

import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;

/** The custom strategy of docs/strategies.md: the fewest in-flight tokens wins. */
// tag::strategy[]
public final class FewestTokensStrategy implements RoutingStrategy {
  @Override public String name() { return "fewest_tokens"; }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    WorkerView best = candidates.get(0);
    for (WorkerView w : candidates) {
      if (w.inFlightTokens() < best.inFlightTokens()) {
        best = w;
      }
    }
    return Choice.of(best);
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    // optional: outcome, duration, time to first chunk and token usage of each routed attempt
  }
}
// end::strategy[]
