package io.flexroute.core.strategy.internal;

import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;

/**
 * Reads a request's {@linkplain RequestView#excludedWorkers() excluded workers}: the workers still
 * in the fleet that one selection leaves out. Strategies that keep state per session or per group
 * use it so that a retry, or a worker refusing one request, does not move that state.
 *
 * <p>Stateless and thread-safe. The lists are short (the workers one request failed on or was
 * refused by), so a linear scan is the cheapest lookup.
 */
public final class Exclusions {

  private Exclusions() {}

  /**
   * Whether a worker is left out of this selection only.
   *
   * @param request the request being routed
   * @param workerId the worker's id
   * @return whether the worker is one of the request's excluded workers
   */
  public static boolean excludes(RequestView request, String workerId) {
    for (WorkerView w : request.excludedWorkers()) {
      if (w.id().equals(workerId)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a worker group has a worker that is left out of this selection only.
   *
   * @param request the request being routed
   * @param group the group's name
   * @return whether one of the request's excluded workers belongs to the group
   */
  public static boolean excludesGroup(RequestView request, String group) {
    for (WorkerView w : request.excludedWorkers()) {
      if (w.worker().group().equals(group)) {
        return true;
      }
    }
    return false;
  }
}
