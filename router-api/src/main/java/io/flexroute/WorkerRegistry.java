package io.flexroute;

import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.Optional;

/**
 * The router's set of workers, changeable at run time while requests flow.
 *
 * <p>Thread-safe. Changes are serialised and published as an immutable snapshot, so a request that
 * already chose a worker finishes on it even if the worker is removed meanwhile; new requests see the
 * change as soon as the method returns.
 */
public interface WorkerRegistry {

  /**
   * Adds a worker.
   *
   * @param worker the worker
   * @throws IllegalArgumentException if a worker with the same id is present
   * @throws IllegalStateException if no transport supports the worker's URL scheme
   * @throws RouterClosedException if the router is closed
   */
  void add(Worker worker);

  /**
   * Removes a worker; requests already running on it finish normally. A closed router's workers
   * stay as they were (listeners heard {@code routerClosed} last): this returns false.
   *
   * @param workerId the id
   * @return {@code true} if the worker was present and removed
   */
  boolean remove(String workerId);

  /**
   * Replaces a worker's description, keeping its live counters (for example a new weight).
   *
   * @param worker the new description, with the id of a present worker
   * @throws IllegalArgumentException if no worker has that id
   */
  void update(Worker worker);

  /**
   * Sets a worker's health state, as an operator or a health checker decides.
   *
   * @param workerId the id
   * @param state the new state
   * @return {@code true} if the worker was present (false once the router is closed)
   */
  boolean setHealth(String workerId, HealthState state);

  /**
   * The current workers, in the order they were added.
   *
   * @return an immutable snapshot
   */
  List<Worker> list();

  /**
   * The live views of the current workers, in the order they were added.
   *
   * @return an immutable snapshot of live views
   */
  List<WorkerView> views();

  /**
   * Finds a worker's live view.
   *
   * @param workerId the id
   * @return the view, or empty if absent
   */
  Optional<WorkerView> view(String workerId);

  /**
   * Registers a listener for changes.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} unregisters it
   */
  AutoCloseable addListener(WorkerChangeListener listener);
}
