package io.flexroute.core.internal;

import io.flexroute.NoEligibleWorkerException;
import io.flexroute.WeightVersions;
import io.flexroute.WorkerRole;
import io.flexroute.core.strategy.internal.CountedCandidates;
import io.flexroute.core.strategy.internal.InFlightCounters;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of the registry, published on every change. Requests read it without locks.
 *
 * <p>The eligible candidates for a (model, role, minimum weight version) key are computed once per
 * snapshot and cached, so filtering costs nothing per request and strategies see the same list
 * instance until the eligible set changes. Every change that affects eligibility (health, breaker,
 * parking, control state, known weight version) publishes a new snapshot.
 *
 * <p>Candidate lists are {@link CountedCandidates}, which carry where each worker's in-flight
 * counters live, so that least-in-flight choices scan the packed counters.
 */
final class WorkerSnapshot {

  /** Above this many distinct keys, candidate lists are computed but not cached. */
  private static final int MAX_CACHED_KEYS = 1024;

  private static final Logger log = LoggerFactory.getLogger(WorkerSnapshot.class);

  static final WorkerSnapshot EMPTY =
      new WorkerSnapshot(List.of(), WeightVersions.naturalOrder(), new AtomicBoolean());

  private final List<WorkerState> workers;
  private final List<WorkerView> views;
  private final Map<String, WorkerState> byId;
  private final Comparator<String> versionOrder;
  /** Shared by a registry's successive snapshots, so that a throwing order is logged once. */
  private final AtomicBoolean orderFailureLogged;
  private final ConcurrentHashMap<Key, List<WorkerView>> eligible = new ConcurrentHashMap<>();

  private record Key(@Nullable String model, WorkerRole role, @Nullable String minVersion) {}

  WorkerSnapshot(
      List<WorkerState> workers,
      Comparator<String> versionOrder,
      AtomicBoolean orderFailureLogged) {
    this.workers = List.copyOf(workers);
    this.views = counted(this.workers);
    this.versionOrder = versionOrder;
    this.orderFailureLogged = orderFailureLogged;
    Map<String, WorkerState> map = new LinkedHashMap<>();
    for (WorkerState w : workers) {
      map.put(w.id(), w);
    }
    this.byId = Collections.unmodifiableMap(map);
  }

  /** The same workers, freshly published: cached candidate lists are dropped. */
  WorkerSnapshot refreshed() {
    return new WorkerSnapshot(workers, versionOrder, orderFailureLogged);
  }

  /** A snapshot of other workers with the same version order. */
  WorkerSnapshot with(List<WorkerState> next) {
    return new WorkerSnapshot(next, versionOrder, orderFailureLogged);
  }

  List<WorkerState> workers() {
    return workers;
  }

  List<WorkerView> views() {
    return views;
  }

  @Nullable WorkerState get(String id) {
    return byId.get(id);
  }

  /**
   * The workers that serve the model in the role, accept requests, are in rotation, and are known
   * to have at least the minimum weight version, in registration order.
   *
   * @param minVersion the oldest acceptable weight version, or null for any
   * @return an immutable list, the same instance for the same key within this snapshot
   */
  List<WorkerView> eligible(@Nullable String model, WorkerRole role, @Nullable String minVersion) {
    Key key = new Key(model, role, minVersion);
    List<WorkerView> cached = eligible.get(key);
    if (cached != null) {
      return cached;
    }
    List<WorkerView> computed = compute(model, role, minVersion);
    if (eligible.size() >= MAX_CACHED_KEYS) {
      return computed;
    }
    List<WorkerView> raced = eligible.putIfAbsent(key, computed);
    return raced != null ? raced : computed;
  }

  private List<WorkerView> compute(
      @Nullable String model, WorkerRole role, @Nullable String minVersion) {
    List<WorkerState> out = new ArrayList<>();
    long now = System.nanoTime();
    for (WorkerState w : workers) {
      if (w.worker().role() == role
          && w.worker().serves(model)
          && w.isAvailable(now)
          && w.controlState() == ControlState.SERVING
          && meetsVersion(w, minVersion)) {
        out.add(w);
      }
    }
    return counted(out);
  }

  private static List<WorkerView> counted(List<WorkerState> states) {
    List<InFlightCounters.Cell> cells = new ArrayList<>(states.size());
    for (WorkerState w : states) {
      cells.add(w.inFlightCell());
    }
    return new CountedCandidates(states, cells);
  }

  /**
   * Whether the worker's known weight version is at least {@code minVersion}. A version order
   * that throws (a user's order that cannot parse a label) counts as "not met": the exception
   * must not escape into a request's admission, where it would end nothing and hold its permit.
   */
  boolean meetsVersion(WorkerView w, @Nullable String minVersion) {
    if (minVersion == null) {
      return true;
    }
    String known = w.weightVersion();
    if (known == null) {
      return false;
    }
    try {
      return versionOrder.compare(known, minVersion) >= 0;
    } catch (RuntimeException e) {
      if (orderFailureLogged.compareAndSet(false, true)) {
        log.warn("the weight-version order threw comparing a worker's version with a request's"
            + " minimum; such workers count as below the minimum (logged once)", e);
      }
      return false;
    }
  }

  /**
   * Whether every worker that serves the model in the role, available or not, is among the given
   * ones.
   *
   * @param ids worker ids
   * @return {@code true} also when no worker serves it
   */
  boolean allServing(@Nullable String model, WorkerRole role, java.util.Set<String> ids) {
    for (WorkerState w : workers) {
      if (w.worker().role() == role && w.worker().serves(model) && !ids.contains(w.id())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Explains an empty candidate list.
   *
   * @return the exception naming the reason and the workers' states
   */
  NoEligibleWorkerException explainNoCandidates(
      @Nullable String model, WorkerRole role, @Nullable String minVersion) {
    if (workers.isEmpty()) {
      return new NoEligibleWorkerException(
          model, role, NoEligibleWorkerException.Reason.NO_MATCHING_WORKER,
          "the router has no workers");
    }
    int matching = 0;
    int servingButOld = 0;
    int controlled = 0;
    Map<String, Integer> states = new LinkedHashMap<>();
    long now = System.nanoTime();
    for (WorkerState w : workers) {
      if (w.worker().role() != role || !w.worker().serves(model)) {
        continue;
      }
      matching++;
      String why;
      if (!w.health().acceptsRequests()) {
        why = w.health().name().toLowerCase(java.util.Locale.ROOT);
      } else if (w.breakerState() == io.flexroute.spi.BreakerState.OPEN) {
        why = "breaker open";
      } else if (!w.isAvailable(now)) {
        why = "rate-limited";
      } else if (w.controlState() == ControlState.UPDATING) {
        why = "updating weights";
        controlled++;
      } else if (w.controlState() == ControlState.PAUSED) {
        why = "paused";
        controlled++;
      } else if (!meetsVersion(w, minVersion)) {
        why = w.weightVersion() == null
            ? "weight version unknown"
            : "weight version " + w.weightVersion();
        servingButOld++;
      } else {
        why = "available";
      }
      states.merge(why, 1, Integer::sum);
    }
    if (matching == 0) {
      return new NoEligibleWorkerException(
          model, role, NoEligibleWorkerException.Reason.NO_MATCHING_WORKER,
          "none of the " + workers.size() + " workers serves this model in this role");
    }
    NoEligibleWorkerException.Reason reason;
    String detail;
    if (servingButOld > 0) {
      reason = NoEligibleWorkerException.Reason.WEIGHT_VERSION;
      detail = "no worker serving it has weight version '" + minVersion + "' or newer " + states;
    } else if (controlled > 0) {
      reason = NoEligibleWorkerException.Reason.UPDATING_OR_PAUSED;
      detail = "all " + matching + " workers serving it are out of rotation " + states;
    } else {
      reason = NoEligibleWorkerException.Reason.UNAVAILABLE;
      detail = "all " + matching + " workers serving it are unavailable " + states;
    }
    return new NoEligibleWorkerException(model, role, reason, detail);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(workers);
  }
}
