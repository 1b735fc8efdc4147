package io.flexroute.core.internal;

import io.flexroute.HealthState;
import io.flexroute.RouterClosedException;
import io.flexroute.Worker;
import io.flexroute.WorkerChangeListener;
import io.flexroute.WorkerRegistry;
import io.flexroute.core.strategy.internal.InFlightCounters;
import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry: changes are serialised by a lock and published as an immutable {@link
 * WorkerSnapshot} through a volatile field that requests read without locking.
 *
 * <p>Listeners hear of the changes outside the lock, in the order the changes were made (see {@link
 * SerialNotifier}): a worker's removal never reaches a listener before its addition, nor one health
 * change before an earlier one.
 *
 * <p>The registry owns the packed in-flight counters of its workers: each added worker takes a slot,
 * which is reused only after the worker's state, its guards and every candidate list holding it are
 * gone.
 */
final class WorkerRegistryImpl implements WorkerRegistry {

  private static final Logger log = LoggerFactory.getLogger(WorkerRegistryImpl.class);

  private final ReentrantLock lock = new ReentrantLock();
  private final Function<Worker, WorkerState> stateFactory;
  private final ListenerSet listeners;
  private final Runnable onChange;
  private final Consumer<WorkerState> onRemoved;
  private final List<WorkerChangeListener> changeListeners = new CopyOnWriteArrayList<>();
  private final InFlightCounters counters = new InFlightCounters();
  // Listener notifications, queued under the lock in the order of the changes.
  private final SerialNotifier notifier = new SerialNotifier();
  private volatile WorkerSnapshot snapshot;
  private boolean closed; // guarded by lock

  /**
   * Creates the registry.
   *
   * @param stateFactory creates the live state of a new worker (transport, breaker)
   * @param listeners the router's listeners
   * @param onChange runs after every published change, outside the lock (wakes waiting requests)
   * @param onRemoved told of each removed worker, in order with the listeners' events, before them
   * @param versionOrder the order of weight versions, for version requirements
   */
  WorkerRegistryImpl(
      Function<Worker, WorkerState> stateFactory,
      ListenerSet listeners,
      Runnable onChange,
      Consumer<WorkerState> onRemoved,
      Comparator<String> versionOrder) {
    this.stateFactory = stateFactory;
    this.listeners = listeners;
    this.onChange = onChange;
    this.onRemoved = onRemoved;
    this.snapshot = new WorkerSnapshot(List.of(), versionOrder, new AtomicBoolean());
  }

  /**
   * Refuses workers added from now on (the router is closing), and tells the listeners that the
   * router closed, after every registry event queued before.
   */
  void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      List<Worker> workers = list();
      notifier.enqueue(() -> listeners.routerClosed(workers));
    } finally {
      lock.unlock();
    }
    notifier.deliver();
  }

  /** The packed in-flight counters of the registered workers. */
  InFlightCounters counters() {
    return counters;
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
      snapshot = snapshot.refreshed();
    } finally {
      lock.unlock();
    }
    onChange.run();
  }

  /**
   * Marks workers as paused or not and publishes one snapshot for all of them, so that a request
   * sees either none or all of the changes.
   *
   * @param workers the workers (removed ones are changed too, harmlessly)
   * @param paused the new flag
   */
  void setPaused(Collection<WorkerState> workers, boolean paused) {
    changeControl(workers, w -> w.setPaused(paused), paused ? "paused" : "continued");
  }

  /**
   * Counts a weight update starting or ending on workers, in one snapshot; a worker is out of
   * rotation while any of its updates runs.
   *
   * @param workers the workers
   * @param updating {@code true} when an update starts, {@code false} when it ends
   */
  void setUpdating(Collection<WorkerState> workers, boolean updating) {
    changeControl(
        workers, w -> w.setUpdating(updating), updating ? "out of rotation for a weight update"
            : "back in rotation after a weight update");
  }

  private void changeControl(
      Collection<WorkerState> workers, java.util.function.Consumer<WorkerState> change,
      String what) {
    if (workers.isEmpty()) {
      return;
    }
    lock.lock();
    try {
      for (WorkerState w : workers) {
        change.accept(w);
      }
      snapshot = snapshot.refreshed();
    } finally {
      lock.unlock();
    }
    onChange.run();
    if (log.isInfoEnabled()) {
      List<String> ids = new ArrayList<>();
      for (WorkerState w : workers) {
        ids.add(w.id());
      }
      log.info("workers {} {}", ids, what);
    }
  }

  @Override
  public void add(Worker worker) {
    Objects.requireNonNull(worker, "worker");
    WorkerState state;
    lock.lock();
    try {
      if (closed) {
        // A discovery callback that outlived the router: its listeners have heard routerClosed,
        // and a worker added now would keep gauges and a counter slot nobody releases.
        throw new RouterClosedException();
      }
      WorkerSnapshot current = snapshot;
      if (current.get(worker.id()) != null) {
        throw new IllegalArgumentException("workers: duplicate worker id '" + worker.id() + "'");
      }
      state = stateFactory.apply(worker);
      state.useInFlightCell(counters.allocate());
      List<WorkerState> next = new ArrayList<>(current.workers());
      next.add(state);
      snapshot = current.with(next);
      WorkerState added = state;
      notifier.enqueue(
          () -> {
            log.info("worker added: {}", worker);
            listeners.workerAdded(added);
            for (WorkerChangeListener l : changeListeners) {
              notify(() -> l.workerAdded(worker));
            }
          });
    } finally {
      lock.unlock();
    }
    onChange.run();
    notifier.deliver();
  }

  @Override
  public boolean remove(String workerId) {
    Objects.requireNonNull(workerId, "workerId");
    WorkerState removed;
    lock.lock();
    try {
      if (closed) {
        // Its listeners heard routerClosed, the last event; the closed router keeps its list.
        return false;
      }
      WorkerSnapshot current = snapshot;
      removed = current.get(workerId);
      if (removed == null) {
        return false;
      }
      List<WorkerState> next = new ArrayList<>(current.workers());
      next.remove(removed);
      removed.setHealth(HealthState.REMOVED);
      snapshot = current.with(next);
      WorkerState gone = removed;
      notifier.enqueue(
          () -> {
            log.info("worker removed: {} ({} requests still running on it)", workerId,
                gone.inFlightRequests());
            onRemoved.accept(gone);
            listeners.workerRemoved(gone);
            Worker worker = gone.worker();
            for (WorkerChangeListener l : changeListeners) {
              notify(() -> l.workerRemoved(worker));
            }
          });
    } finally {
      lock.unlock();
    }
    onChange.run();
    notifier.deliver();
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
      snapshot = current.refreshed();
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
    return transitionHealth(workerId, null, state);
  }

  /**
   * Changes a worker's health only if it still is {@code expected} (any state when null), checked
   * under the lock: for the router's own judgements (probes, passive failures), made on a health
   * read a moment earlier, which must not overwrite what an operator set since (a {@code DRAINING}
   * worker would otherwise be put back in rotation by its next good probe).
   *
   * @return whether the worker exists and was in {@code expected} (and is now in {@code state})
   */
  boolean transitionHealth(String workerId, @Nullable HealthState expected, HealthState state) {
    return transitionHealth(workerId, null, expected, state);
  }

  /**
   * As {@link #transitionHealth(String, HealthState, HealthState)}, for a judgement about one
   * worker instance: nothing changes if that worker was removed meanwhile, also when another one
   * was added under its id (the verdict is about the old one).
   *
   * @return whether the worker is still registered, was in {@code expected} and is now in {@code
   *     state}
   */
  boolean transitionHealth(WorkerState judged, @Nullable HealthState expected, HealthState state) {
    return transitionHealth(judged.id(), judged, expected, state);
  }

  private boolean transitionHealth(
      String workerId,
      @Nullable WorkerState judged,
      @Nullable HealthState expected,
      HealthState state) {
    lock.lock();
    try {
      if (closed) {
        return false; // a late probe or passive verdict: nothing happens after routerClosed
      }
      WorkerSnapshot current = snapshot;
      WorkerState worker = current.get(workerId);
      if (worker == null || (judged != null && worker != judged)) {
        return false;
      }
      HealthState previous = worker.health();
      if (expected != null && previous != expected) {
        return false;
      }
      if (previous == state) {
        return true;
      }
      worker.setHealth(state);
      snapshot = current.refreshed();
      notifier.enqueue(
          () -> {
            log.info("worker {} health: {} -> {}", workerId, previous, state);
            listeners.healthChanged(worker, previous, state);
            Worker w = worker.worker();
            for (WorkerChangeListener l : changeListeners) {
              notify(() -> l.healthChanged(w, previous, state));
            }
          });
    } finally {
      lock.unlock();
    }
    onChange.run();
    notifier.deliver();
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
