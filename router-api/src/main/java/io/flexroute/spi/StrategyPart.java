package io.flexroute.spi;

import io.flexroute.Worker;

/**
 * What every part of a {@link CompositeStrategy} (a {@link WorkerFilter} or a {@link WorkerScorer})
 * has: a name and the two notifications the composite passes on.
 *
 * <p>Implementations are called concurrently from many threads and must be thread-safe; the
 * notifications must not block or throw.
 */
public interface StrategyPart {

  /**
   * The part's name, lowercase snake case; used in the composite's messages.
   *
   * @return the name
   */
  String name();

  /**
   * Tells the part which worker the composite chose for a request, on the selecting thread, right
   * after the choice (a prefix-affinity part records the request's prefix for the worker here). The
   * default does nothing.
   *
   * @param request the request
   * @param chosen the chosen worker
   */
  default void onSelected(RequestView request, WorkerView chosen) {}

  /**
   * Receives the outcome of a request the composite routed, exactly once per routed request (see
   * {@link RoutingStrategy#onComplete}). The default does nothing.
   *
   * @param feedback what happened
   */
  default void onComplete(RequestFeedback feedback) {}

  /**
   * Receives word that a worker left the fleet, so that the part can drop what it keeps for it
   * (see {@link RoutingStrategy#onWorkerRemoved}). The default does nothing.
   *
   * @param worker the worker that left
   */
  default void onWorkerRemoved(Worker worker) {}
}
