package io.flexroute.core.strategy;

import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerScorer;
import io.flexroute.spi.WorkerView;
import java.util.List;

/**
 * Scores each candidate by its in-flight requests (the router's own guard counts), min-max
 * normalised: the least loaded scores 1, the most loaded 0, all equal score 1.
 *
 * <p>Stateless and thread-safe; O(n).
 */
public final class InFlightLoadScorer implements WorkerScorer {

  /** The name of this scorer. */
  public static final String NAME = "inflight_load";

  /** Creates the scorer. */
  public InFlightLoadScorer() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void score(RequestView request, List<WorkerView> candidates, double[] scores) {
    int n = candidates.size();
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      int load = candidates.get(i).inFlightRequests();
      scores[i] = load;
      min = Math.min(min, load);
      max = Math.max(max, load);
    }
    double range = max - min;
    for (int i = 0; i < n; i++) {
      scores[i] = range == 0 ? 1.0 : (max - scores[i]) / range;
    }
  }

  @Override
  public String toString() {
    return "InFlightLoadScorer";
  }
}
