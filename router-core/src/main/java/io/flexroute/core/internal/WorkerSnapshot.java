package io.flexroute.core.internal;

import io.flexroute.WorkerRole;
import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * An immutable snapshot of the registry, published on every change. Requests read it without locks.
 *
 * <p>The eligible candidates for a (model, role) pair are computed once per snapshot and cached, so
 * filtering costs nothing per request and strategies see the same list instance until the eligible
 * set changes.
 */
final class WorkerSnapshot {

  /** Above this many distinct (model, role) keys, candidate lists are computed but not cached. */
  private static final int MAX_CACHED_KEYS = 1024;

  static final WorkerSnapshot EMPTY = new WorkerSnapshot(List.of());

  private final List<WorkerState> workers;
  private final List<WorkerView> views;
  private final Map<String, WorkerState> byId;
  private final ConcurrentHashMap<Key, List<WorkerView>> eligible = new ConcurrentHashMap<>();

  private record Key(@Nullable String model, WorkerRole role) {}

  WorkerSnapshot(List<WorkerState> workers) {
    this.workers = List.copyOf(workers);
    this.views = List.copyOf(workers);
    Map<String, WorkerState> map = new LinkedHashMap<>();
    for (WorkerState w : workers) {
      map.put(w.id(), w);
    }
    this.byId = Collections.unmodifiableMap(map);
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
   * The workers that serve the model in the role and accept requests, in registration order.
   *
   * @return an immutable list, the same instance for the same key within this snapshot
   */
  List<WorkerView> eligible(@Nullable String model, WorkerRole role) {
    Key key = new Key(model, role);
    List<WorkerView> cached = eligible.get(key);
    if (cached != null) {
      return cached;
    }
    List<WorkerView> computed = compute(model, role);
    if (eligible.size() >= MAX_CACHED_KEYS) {
      return computed;
    }
    List<WorkerView> raced = eligible.putIfAbsent(key, computed);
    return raced != null ? raced : computed;
  }

  private List<WorkerView> compute(@Nullable String model, WorkerRole role) {
    List<WorkerView> out = new ArrayList<>();
    long now = System.nanoTime();
    for (WorkerState w : workers) {
      if (w.worker().role() == role && w.worker().serves(model) && w.isAvailable(now)) {
        out.add(w);
      }
    }
    return List.copyOf(out);
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
   * @return a sentence for the {@link io.flexroute.NoEligibleWorkerException}
   */
  String explainNoCandidates(@Nullable String model, WorkerRole role) {
    if (workers.isEmpty()) {
      return "the router has no workers";
    }
    int matching = 0;
    Map<String, Integer> states = new LinkedHashMap<>();
    long now = System.nanoTime();
    for (WorkerState w : workers) {
      if (w.worker().role() == role && w.worker().serves(model)) {
        matching++;
        String why;
        if (!w.health().acceptsRequests()) {
          why = w.health().name().toLowerCase(java.util.Locale.ROOT);
        } else if (w.breakerState() == io.flexroute.spi.BreakerState.OPEN) {
          why = "breaker open";
        } else if (!w.isAvailable(now)) {
          why = "rate-limited";
        } else {
          why = "available";
        }
        states.merge(why, 1, Integer::sum);
      }
    }
    if (matching == 0) {
      return "none of the " + workers.size() + " workers serves this model in this role";
    }
    return "all " + matching + " workers serving it are unavailable " + states;
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
