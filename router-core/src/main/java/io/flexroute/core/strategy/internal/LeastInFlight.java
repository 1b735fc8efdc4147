package io.flexroute.core.strategy.internal;

import io.flexroute.spi.WorkerView;
import java.util.List;

/**
 * The exact least-in-flight choice: the candidate with the fewest requests in flight, then the
 * fewest in-flight prompt tokens, scanning from a given position and wrapping around; among equals
 * the first one scanned wins, and the scan stops at the first idle candidate (no requests, no
 * tokens), which nothing can beat. Stateless and thread-safe.
 */
public final class LeastInFlight {

  private LeastInFlight() {}

  /**
   * The chosen position: a packed scan for the router's own {@link CountedCandidates} lists, a scan
   * of the views for any other list. Both make the same choice over the same counts.
   *
   * @param candidates the candidates, not empty
   * @param start the first position scanned, from 0 to {@code candidates.size() - 1}
   * @return the chosen position
   */
  public static int index(List<? extends WorkerView> candidates, int start) {
    if (candidates instanceof CountedCandidates counted) {
      return counted.leastInFlight(start);
    }
    return genericScan(candidates, start);
  }

  /**
   * The choice made by reading each view's {@code inFlightRequests()} and {@code
   * inFlightTokens()}, for lists the router did not build.
   *
   * @param candidates the candidates, not empty
   * @param start the first position scanned, from 0 to {@code candidates.size() - 1}
   * @return the chosen position
   */
  public static int genericScan(List<? extends WorkerView> candidates, int start) {
    int n = candidates.size();
    if (start < 0 || start >= n) {
      throw new IllegalArgumentException("start must be in [0, " + n + "), but was " + start);
    }
    int best = start;
    WorkerView first = candidates.get(start);
    int bestRequests = first.inFlightRequests();
    long bestTokens = first.inFlightTokens();
    for (int i = 1; i < n && (bestRequests > 0 || bestTokens > 0); i++) {
      int index = start + i;
      if (index >= n) {
        index -= n;
      }
      WorkerView w = candidates.get(index);
      int requests = w.inFlightRequests();
      if (requests <= bestRequests) {
        long tokens = w.inFlightTokens();
        if (requests < bestRequests || tokens < bestTokens) {
          best = index;
          bestRequests = requests;
          bestTokens = tokens;
        }
      }
    }
    return best;
  }
}
