package io.flexroute;

/**
 * Hears about workers joining and leaving a {@link WorkerRegistry}.
 *
 * <p>Called on the thread that changed the registry, after the change is visible to routing;
 * implementations must be thread-safe, fast, and must not throw.
 */
public interface WorkerChangeListener {

  /**
   * A worker was added.
   *
   * @param worker the new worker
   */
  default void workerAdded(Worker worker) {}

  /**
   * A worker was removed.
   *
   * @param worker the removed worker
   */
  default void workerRemoved(Worker worker) {}

  /**
   * A worker's health state changed.
   *
   * @param worker the worker
   * @param previous the state before
   * @param current the state now
   */
  default void healthChanged(Worker worker, HealthState previous, HealthState current) {}
}
