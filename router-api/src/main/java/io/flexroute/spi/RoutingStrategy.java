package io.flexroute.spi;

import io.flexroute.Worker;
import java.util.List;

/**
 * Chooses the worker for each request.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #select} is called concurrently from many threads and must be thread-safe,
 *       non-blocking and fast (it runs on every request).
 *   <li>The candidates are the workers eligible for the request (model, role and health already
 *       checked), never empty, in a stable order. The router passes the same list instance while the
 *       eligible set is unchanged, so a strategy may cache data derived from it by identity.
 *   <li>A retry, or a new choice after the chosen worker refused the request, gets the candidates
 *       without the workers the request failed on or was refused by, and {@link
 *       RequestView#excludedWorkers()} names them: they are skipped for this request, not gone.
 *   <li>The choice must be one of the candidates or {@link Choice#none}. A strategy that throws, or
 *       returns a worker that is not a candidate, is treated as declining: the router logs it and
 *       falls back to the least-loaded candidate, so a faulty plug-in never fails a request.
 *   <li>{@link #onComplete} is called exactly once for every request that was routed through
 *       {@code select} and reached a worker, on the thread that finished it; it must not block or
 *       throw.
 * </ul>
 */
public interface RoutingStrategy {

  /**
   * The strategy's name, lowercase snake case (such as {@code least_inflight}); used in metrics tags.
   *
   * @return the name
   */
  String name();

  /**
   * Chooses a worker.
   *
   * @param request the request to route
   * @param candidates the eligible workers, never empty
   * @return the choice
   */
  Choice select(RequestView request, List<WorkerView> candidates);

  /**
   * Receives the outcome of a routed request. The default does nothing.
   *
   * @param feedback what happened
   */
  default void onComplete(RequestFeedback feedback) {}

  /**
   * Receives word that a worker left the router's fleet (removed; a worker that is unhealthy,
   * draining or paused has not left), so that the strategy can drop what it keeps for that worker.
   * Called once per removal, after the worker has left the candidate lists, in order with the
   * fleet's other changes. Requests still running on the worker end later (with {@link
   * #onComplete}), and a selection that read the fleet just before the removal may still offer the
   * worker, so state dropped here may be created again by such a request; a worker added later with
   * the same id is a new worker. Must not block or throw. The default does nothing.
   *
   * @param worker the worker that left
   */
  default void onWorkerRemoved(Worker worker) {}
}
