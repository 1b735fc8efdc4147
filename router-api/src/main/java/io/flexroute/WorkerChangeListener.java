package io.flexroute;

/**
 * Hears about workers joining and leaving a {@link WorkerRegistry}.
 *
 * <p>Called after the change is visible to routing, one change at a time and in the order the
 * registry made them, even when different threads made them: on the thread that made the change, or
 * on one that made a later change and is telling the earlier ones first. A listener may change the
 * registry; that change is told after the current one. Implementations must be thread-safe, fast,
 * and must not throw.
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
   * @param previous the state before the change
   * @param current the state the change set
   */
  default void healthChanged(Worker worker, HealthState previous, HealthState current) {}
}
