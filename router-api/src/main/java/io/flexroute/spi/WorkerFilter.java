package io.flexroute.spi;

import java.util.List;

/**
 * Narrows the candidates of a request: the first stage of a {@link CompositeStrategy}, in the style
 * of the Kubernetes inference gateway's filters.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #filter} is called concurrently from many threads; it must be thread-safe,
 *       non-blocking and fast.
 *   <li>It returns a sub-list of the candidates, in their order. When it removes nothing it returns
 *       the given list itself, so that later parts can keep caching by list identity (the router
 *       hands out one list instance per eligible set). A filter that caches its sub-lists per input
 *       list should return the same sub-list instance while its decision is unchanged.
 *   <li>An empty result declines every candidate: the composite rejects the request, naming the
 *       filter. A filter that prefers to fail open returns its input instead.
 * </ul>
 */
public interface WorkerFilter extends StrategyPart {

  /**
   * Keeps the candidates that may take the request.
   *
   * @param request the request
   * @param candidates the candidates left by the previous filters, never empty
   * @return the candidates kept, in their order; the input itself when all are kept
   */
  List<WorkerView> filter(RequestView request, List<WorkerView> candidates);
}
