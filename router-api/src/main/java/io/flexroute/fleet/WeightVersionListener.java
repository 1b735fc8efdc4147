package io.flexroute.fleet;

import io.flexroute.spi.WorkerView;
import org.jspecify.annotations.Nullable;

/**
 * Hears when the router's known weight version of a worker changes ({@link
 * WorkerView#weightVersion()}): after a weight update or a version read by the fleet, or when a
 * worker's answer reports a newer version than the router knew.
 *
 * <p>Called on the thread that observed the change: for a broadcast, before the broadcast's result
 * is delivered; for an answer, the thread that completes the request. Implementations must be
 * thread-safe and quick, and must not call back into the router; an exception they throw is logged
 * and ignored.
 */
@FunctionalInterface
public interface WeightVersionListener {

  /**
   * The known weight version of a worker changed.
   *
   * @param worker the worker, already showing the new version
   * @param previous the version known before, or null if none was
   * @param current the version known now
   */
  void weightVersionChanged(WorkerView worker, @Nullable String previous, String current);
}
