package io.flexroute.spi;

import java.util.List;

/**
 * Chooses a worker from scored candidates: the last stage of a {@link CompositeStrategy}.
 *
 * <p>Implementations are called concurrently from many threads and must be thread-safe,
 * non-blocking and fast. The pickers returned by the factories here are stateless and thread-safe.
 */
public interface WorkerPicker {

  /**
   * Chooses one candidate.
   *
   * @param request the request
   * @param candidates the candidates, never empty
   * @param scores the weighted total score of each candidate ({@code scores[i]} for {@code
   *     candidates.get(i)}), finite and at least 0; the array may be longer than the list
   * @return one of the candidates
   */
  WorkerView pick(RequestView request, List<WorkerView> candidates, double[] scores);

  /**
   * The picker that takes the highest total score; ties go to a uniformly random one of the tied
   * candidates, so equal workers share the traffic. The default picker of a composite.
   *
   * @return the picker
   */
  static WorkerPicker highestScore() {
    return Pickers.HIGHEST;
  }

  /**
   * The picker that draws a candidate at random with a probability proportional to its total
   * score (uniformly when every score is 0), which spreads load across nearly equal workers.
   *
   * @return the picker
   */
  static WorkerPicker weightedRandom() {
    return Pickers.WEIGHTED_RANDOM;
  }
}
