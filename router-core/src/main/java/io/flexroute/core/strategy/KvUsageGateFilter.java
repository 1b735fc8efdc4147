package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerFilter;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Stops sending requests to workers whose KV cache is nearly full, with hysteresis: a worker whose
 * {@linkplain WorkerView#reportedLoad() reported} KV-cache usage reaches the high mark is gated
 * until its usage falls to the low mark, so it does not flap in and out at one threshold.
 *
 * <p>A worker without a fresh report (none yet, or older than {@code maxReportAge}) is not gated:
 * the gate needs the router's load polling ({@code RouterBuilder.loadPolling}). When every
 * candidate is gated, all pass ({@code failOpen}, the default) or the request is declined.
 *
 * <h2>Cost and threading</h2>
 *
 * Thread-safe and lock-free. The gates of a candidate list are evaluated over all its candidates
 * (O(n): whether a worker is kept depends on its own report) at most once per {@code
 * recheckInterval}, by one thread while the others keep the previous answer; between evaluations a
 * request costs O(1) and gets the same kept list instance, so later parts can cache by identity.
 * Each candidate list (one per model and role) is evaluated on its own; the gate state of each
 * worker is kept by id, so its hysteresis holds across lists.
 */
public final class KvUsageGateFilter implements WorkerFilter {

  /** The name of this filter. */
  public static final String NAME = "kv_usage_gate";

  private final KvUsageGateConfig config;
  private final long maxAgeNanos;
  private final long recheckNanos;
  private final ConcurrentHashMap<String, Boolean> gated = new ConcurrentHashMap<>();
  private final ListCache<Gates> lists = new ListCache<>(list -> new Gates());

  /** Creates the filter with {@link KvUsageGateConfig#defaults()}. */
  public KvUsageGateFilter() {
    this(KvUsageGateConfig.defaults());
  }

  /**
   * Creates the filter.
   *
   * @param config the settings
   */
  public KvUsageGateFilter(KvUsageGateConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.maxAgeNanos = nanos(config.maxReportAge());
    this.recheckNanos = nanos(config.recheckInterval());
  }

  private static long nanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<WorkerView> filter(RequestView request, List<WorkerView> candidates) {
    long now = config.ticker().getAsLong();
    Gates gates = lists.get(candidates);
    Snapshot s = gates.last;
    if (s != null && now - s.evaluatedAt < recheckNanos) {
      return s.kept;
    }
    if (!gates.evaluating.compareAndSet(false, true)) {
      // Another thread is evaluating this list; its previous answer is fresh enough.
      return s != null ? s.kept : candidates;
    }
    try {
      Snapshot fresh = evaluate(candidates, now, s);
      gates.last = fresh;
      return fresh.kept;
    } finally {
      gates.evaluating.set(false);
    }
  }

  private Snapshot evaluate(List<WorkerView> candidates, long now, @Nullable Snapshot previous) {
    int n = candidates.size();
    List<WorkerView> kept = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      WorkerView w = candidates.get(i);
      if (!gate(w, now)) {
        kept.add(w);
      }
    }
    List<WorkerView> result;
    if (kept.size() == n) {
      result = candidates;
    } else if (kept.isEmpty()) {
      result = config.failOpen() ? candidates : List.of();
    } else if (previous != null && sameElements(previous.kept, kept)) {
      result = previous.kept;
    } else {
      result = List.copyOf(kept);
    }
    return new Snapshot(result, now);
  }

  /** Updates and returns a worker's gate. */
  private boolean gate(WorkerView worker, long now) {
    WorkerLoad load = worker.reportedLoad();
    String id = worker.id();
    double usage =
        load == null || now - load.reportedAtNanos() > maxAgeNanos ? Double.NaN
            : load.kvCacheUsage();
    boolean was = gated.getOrDefault(id, Boolean.FALSE);
    boolean gatedNow;
    if (Double.isNaN(usage)) {
      gatedNow = false;
    } else if (usage >= config.highMark()) {
      gatedNow = true;
    } else if (usage <= config.lowMark()) {
      gatedNow = false;
    } else {
      gatedNow = was;
    }
    if (gatedNow != was) {
      gated.put(id, gatedNow);
    }
    return gatedNow;
  }

  private static boolean sameElements(List<WorkerView> a, List<WorkerView> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** Forgets the worker's gate. */
  @Override
  public void onWorkerRemoved(Worker worker) {
    gated.remove(worker.id());
  }

  /**
   * Whether a worker was gated at the last evaluation.
   *
   * @param workerId the worker id
   * @return {@code true} if gated
   */
  public boolean isGated(String workerId) {
    return gated.getOrDefault(Objects.requireNonNull(workerId, "workerId"), Boolean.FALSE);
  }

  @Override
  public String toString() {
    return "KvUsageGateFilter{" + config + "}";
  }

  /** The kept list of one evaluation. Immutable. */
  private static final class Snapshot {
    final List<WorkerView> kept;
    final long evaluatedAt;

    Snapshot(List<WorkerView> kept, long evaluatedAt) {
      this.kept = kept;
      this.evaluatedAt = evaluatedAt;
    }
  }

  /** The last evaluation of one candidate list. Thread-safe. */
  private static final class Gates {
    volatile @Nullable Snapshot last;
    final AtomicBoolean evaluating = new AtomicBoolean();
  }
}
