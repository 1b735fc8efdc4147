package io.flexroute.spi;

import java.util.List;

/**
 * Rates every candidate of a request between 0 (worst) and 1 (best): the second stage of a {@link
 * CompositeStrategy}, whose weighted sum of scores a {@link WorkerPicker} turns into a choice.
 *
 * <p>{@link #score} is called concurrently from many threads; it must be thread-safe, non-blocking
 * and fast. It writes one score per candidate; the composite clamps scores to [0, 1] and counts NaN
 * as 0. A scorer sees every candidate, so it costs at least O(n) per request.
 */
public interface WorkerScorer extends StrategyPart {

  /**
   * Scores the candidates.
   *
   * @param request the request
   * @param candidates the candidates, never empty
   * @param scores where to write the scores: {@code scores[i]} rates {@code candidates.get(i)};
   *     the array may be longer than the list, and holds zeros when the call starts
   */
  void score(RequestView request, List<WorkerView> candidates, double[] scores);
}
