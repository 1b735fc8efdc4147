package io.flexroute.core.internal;

import io.flexroute.HealthState;
import io.flexroute.Worker;
import io.flexroute.WorkerChangeListener;
import io.flexroute.WorkerRegistry;
import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry: changes are serialised by a lock and published as an immutable {@link
 * WorkerSnapshot} through a volatile field that requests read without locking.
 */
final class WorkerRegistryImpl implements WorkerRegistry {

  private static final Logger log = LoggerFactory.getLogger(WorkerRegistryImpl.class);

  private final ReentrantLock lock = new ReentrantLock();
  private final Function<Worker, WorkerState> stateFactory;
  private final ListenerSet listeners;
  private final Runnable onChange;
  private final List<WorkerChangeListener> changeListeners = new CopyOnWriteArrayList<>();
  private volatile WorkerSnapshot snapshot = WorkerSnapshot.EMPTY;

  /**
   * Creates the registry.
   *
   * @param stateFactory creates the live state of a new worker (transport, breaker)
   * @param listeners the router's listeners
   * @param onChange runs after every published change, outside the lock (wakes waiting requests)
   */
  WorkerRegistryImpl(
      Function<Worker, WorkerState> stateFactory, ListenerSet listeners, Runnable onChange) {
    this.stateFactory = stateFactory;
    this.listeners = listeners;
    this.onChange = onChange;
  }

  WorkerSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Publishes a fresh snapshot of the same workers, after a change of availability that lives in
   * the workers' state (breaker, parking), so that candidate lists are computed again.
   */
  void republish() {
    lock.lock();
    try {
      snapshot = new WorkerSnapshot(snapshot.workers());
    } finally {
      lock.unlock();
    }
    onChange.run();
  }

  @Override
  public void add(Worker worker) {
    Objects.requireNonNull(worker, "worker");
    WorkerState state;
    lock.lock();
    try {
      WorkerSnapshot current = snapshot;
      if (current.get(worker.id()) != null) {
        throw new IllegalArgumentException("workers: duplicate worker id '" + worker.id() + "'");
      }
      state = stateFactory.apply(worker);
      List<WorkerState> next = new ArrayList<>(current.workers());
      next.add(state);
      snapshot = new WorkerSnapshot(next);
    } finally {
      lock.unlock();
    }
    onChange.run();
    log.info("worker added: {}", worker);
    listeners.workerAdded(state);
    for (WorkerChangeListener l : changeListeners) {
      notify(() -> l.workerAdded(worker));
    }
  }

  @Override
  public boolean remove(String workerId) {
    Objects.requireNonNull(workerId, "workerId");
    WorkerState removed;
    lock.lock();
    try {
      WorkerSnapshot current = snapshot;
      removed = current.get(workerId);
      if (removed == null) {
        return false;
      }
      List<WorkerState> next = new ArrayList<>(current.workers());
      next.remove(removed);
      removed.setHealth(HealthState.REMOVED);
      snapshot = new WorkerSnapshot(next);
    } finally {
      lock.unlock();
    }
    onChange.run();
    log.info("worker removed: {} ({} requests still running on it)", workerId,
        removed.inFlightRequests());
    listeners.workerRemoved(removed);
    Worker worker = removed.worker();
    for (WorkerChangeListener l : changeListeners) {
      notify(() -> l.workerRemoved(worker));
    }
    return true;
  }

  @Override
  public void update(Worker worker) {
    Objects.requireNonNull(worker, "worker");
    lock.lock();
    try {
      WorkerSnapshot current = snapshot;
      WorkerState state = current.get(worker.id());
      if (state == null) {
        throw new IllegalArgumentException("no worker has id '" + worker.id() + "'");
      }
      if (!state.transport().supports(worker)) {
        throw new IllegalArgumentException(
            "worker '" + worker.id() + "' cannot change its transport (URL scheme) in an update");
      }
      state.setWorker(worker);
      // A new snapshot drops cached candidate lists, whose eligibility may depend on the change.
      snapshot = new WorkerSnapshot(current.workers());
    } finally {
      lock.unlock();
    }
    onChange.run();
    log.info("worker updated: {}", worker);
  }

  @Override
  public boolean setHealth(String workerId, HealthState state) {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(state, "state");
    if (state == HealthState.REMOVED) {
      throw new IllegalArgumentException("use remove(workerId) to remove a worker");
    }
    WorkerState worker;
    HealthState previous;
    lock.lock();
    try {
      WorkerSnapshot current = snapshot;
      worker = current.get(workerId);
      if (worker == null) {
        return false;
      }
      previous = worker.health();
      if (previous == state) {
        return true;
      }
      worker.setHealth(state);
      snapshot = new WorkerSnapshot(current.workers());
    } finally {
      lock.unlock();
    }
    onChange.run();
    log.info("worker {} health: {} -> {}", workerId, previous, state);
    listeners.healthChanged(worker, previous);
    Worker w = worker.worker();
    for (WorkerChangeListener l : changeListeners) {
      notify(() -> l.healthChanged(w, previous, state));
    }
    return true;
  }

  @Override
  public List<Worker> list() {
    List<WorkerState> states = snapshot.workers();
    List<Worker> out = new ArrayList<>(states.size());
    for (WorkerState s : states) {
      out.add(s.worker());
    }
    return List.copyOf(out);
  }

  @Override
  public List<WorkerView> views() {
    return snapshot.views();
  }

  @Override
  public Optional<WorkerView> view(String workerId) {
    return Optional.ofNullable(snapshot.get(Objects.requireNonNull(workerId, "workerId")));
  }

  @Override
  public AutoCloseable addListener(WorkerChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    changeListeners.add(listener);
    return () -> changeListeners.remove(listener);
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("a worker change listener threw; ignoring it", e);
    }
  }
}
