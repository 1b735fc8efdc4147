package io.flexroute.core.internal;

import io.flexroute.fleet.WeightVersionListener;
import io.flexroute.spi.ControlState;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each worker's known weight version: set exactly by the fleet (updates and reads), raised by
 * the versions workers report in their answers, lowered by an answer that shows the worker went
 * back to older weights. Every change publishes a new snapshot (eligibility
 * depends on versions) and is told to the {@link WeightVersionListener}s.
 *
 * <p>Thread-safe. Answers report the version at the time they were written, so an answer that
 * raced an update may carry the old one: an answer raises the known version, in the router's
 * version order, and lowers it only when it is older than the version known when its attempt was
 * sent and no update or read has recorded a version since ({@link #answered}). The check for an
 * unchanged version is one string comparison.
 */
final class WeightVersionTracker {

  private static final Logger log = LoggerFactory.getLogger(WeightVersionTracker.class);

  private final Comparator<String> order;
  private final Runnable republish;
  private final List<WeightVersionListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean orderFailureLogged = new AtomicBoolean();

  /**
   * Creates the tracker.
   *
   * @param order the router's weight-version order
   * @param republish publishes a fresh snapshot of the registry
   */
  WeightVersionTracker(Comparator<String> order, Runnable republish) {
    this.order = order;
    this.republish = republish;
  }

  Comparator<String> order() {
    return order;
  }

  AutoCloseable addListener(WeightVersionListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Records the version a worker reported in an answer, if it is newer than the known one.
   *
   * @param reported the version, or null when the answer had none
   */
  void observe(WorkerState worker, @Nullable String reported) {
    if (reported == null || reported.isEmpty()) {
      return;
    }
    AtomicReference<@Nullable String> cell = worker.weightVersionCell();
    while (true) {
      String current = cell.get();
      if (reported.equals(current)) {
        return;
      }
      if (current != null && !newer(reported, current)) {
        return;
      }
      if (cell.compareAndSet(current, reported)) {
        changed(worker, current, reported);
        return;
      }
    }
  }

  /**
   * Records the version a worker reported in an answer to an attempt sent when the router knew the
   * worker at {@code atDispatch}. A newer version raises the known one ({@link #observe}). An older
   * one means the worker went back after the router learnt its version (a restart on its launch
   * weights, a rollback done outside the router), since an attempt sent after an update cannot be
   * answered by the weights before it: the older version replaces the known one, unless a fleet
   * update or read recorded a version since the attempt was sent, one is running, or an answer
   * raised the version meanwhile.
   *
   * @param reported the version the answer reported, or null when it had none
   * @param mark {@link #recordMark} taken when the attempt was sent
   * @param atDispatch the known version when the attempt was sent (read after the mark)
   */
  void answered(
      WorkerState worker, @Nullable String reported, long mark, @Nullable String atDispatch) {
    if (reported == null || reported.isEmpty() || reported.equals(atDispatch)) {
      return;
    }
    if (atDispatch == null || !older(reported, atDispatch)) {
      observe(worker, reported);
      return;
    }
    synchronized (worker.weightVersionCell()) {
      if (worker.versionRecords != mark
          || worker.controlState() == ControlState.UPDATING
          || !worker.weightVersionCell().compareAndSet(atDispatch, reported)) {
        return;
      }
    }
    log.warn("worker {} answered with weight version {}, older than its known {}: it went back to"
        + " earlier weights; recording {}", worker.id(), reported, atDispatch, reported);
    changed(worker, atDispatch, reported);
  }

  /**
   * Whether {@code candidate} is older than {@code reference} in the router's order; false when
   * the order throws (logged once).
   */
  boolean older(String candidate, String reference) {
    return compare(candidate, reference) < 0;
  }

  /**
   * Sets the version a weight update left on the worker, replacing the known one even if it is
   * older. Reads that started before it can no longer overwrite it ({@link #setIfUnchangedSince}).
   *
   * @param version the version, or null when it is no longer known
   */
  void set(WorkerState worker, @Nullable String version) {
    String previous;
    synchronized (worker.weightVersionCell()) {
      worker.versionSets++;
      worker.versionRecords++;
      previous = worker.weightVersionCell().getAndSet(version);
    }
    if (!Objects.equals(previous, version)) {
      changed(worker, previous, version);
    }
  }

  /**
   * The mark an attempt takes when it is sent, for {@link #answered}: changes with every version
   * an update or a read records on the worker.
   *
   * @return the number of versions recorded on the worker so far
   */
  static long recordMark(WorkerState worker) {
    return worker.versionRecords;
  }

  /**
   * The mark a version read takes before it asks the worker, for {@link #setIfUnchangedSince}.
   *
   * @return the number of updates recorded on the worker so far
   */
  long mark(WorkerState worker) {
    return worker.versionSets;
  }

  /**
   * Sets the version a read found, unless an update recorded a version on the worker after the
   * read started or one is running now: the read may have seen the weights before that update, and
   * would roll the known version back (a worker running the new weights known by the old version
   * gets no request that needs the new one).
   *
   * @param version the version the read found
   * @param mark {@link #mark} taken before the read was sent
   * @return whether the version was recorded
   */
  boolean setIfUnchangedSince(WorkerState worker, @Nullable String version, long mark) {
    String previous;
    synchronized (worker.weightVersionCell()) {
      if (worker.versionSets != mark || worker.controlState() == ControlState.UPDATING) {
        return false;
      }
      worker.versionRecords++;
      previous = worker.weightVersionCell().getAndSet(version);
    }
    if (!Objects.equals(previous, version)) {
      changed(worker, previous, version);
    }
    return true;
  }

  private boolean newer(String candidate, String current) {
    return compare(candidate, current) > 0;
  }

  /** The order's verdict, or 0 (no change) when it throws. */
  private int compare(String a, String b) {
    try {
      return order.compare(a, b);
    } catch (RuntimeException e) {
      if (orderFailureLogged.compareAndSet(false, true)) {
        log.warn("the weight-version order threw; versions from answers are ignored when it does"
            + " (logged once)", e);
      }
      return 0;
    }
  }

  private void changed(WorkerState worker, @Nullable String previous, @Nullable String current) {
    republish.run();
    log.info("worker {} weight version: {} -> {}", worker.id(), previous, current);
    if (current == null) {
      return;
    }
    for (WeightVersionListener l : listeners) {
      try {
        l.weightVersionChanged(worker, previous, current);
      } catch (RuntimeException e) {
        log.warn("a weight-version listener threw; ignoring it", e);
      }
    }
  }
}
