package io.flexroute.core.strategy;

import io.flexroute.RequestOutcome;
import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerFilter;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Keeps only the workers of the active failover group: traffic goes to the best group that has an
 * eligible worker, moves to the next when none of the active group's workers is eligible, and moves
 * back only after a cooldown.
 *
 * <h2>Rule</h2>
 *
 * Workers belong to a {@linkplain io.flexroute.Worker#group() group}; a group's priority is the
 * lowest {@linkplain io.flexroute.Worker#priority() priority} of its workers (lower is preferred,
 * ties by name). For each request:
 *
 * <ul>
 *   <li>When the active group has no candidate (all its workers are unhealthy, draining or gone),
 *       it enters its cooldown and the best group not in cooldown becomes active at once.
 *   <li>With {@code failoverAfterFailures > 0}, that many consecutive failed requests (worker
 *       errors, timeouts) on the active group do the same, even while its workers look healthy.
 *   <li>A better group than the active one takes traffic back only when it is out of cooldown, so
 *       a flapping group cannot pull traffic back and forth.
 *   <li>When every group with candidates is in cooldown, the best of them is used: the filter never
 *       declines a request that some worker can take.
 * </ul>
 *
 * This is the request forwarder's group failover without its flaws: the failover is driven by every
 * request, not by a retry path that may never run; cooldown expiry fails back automatically; a
 * group
 * is never skipped forever.
 *
 * <h2>Cost and threading</h2>
 *
 * Thread-safe and lock-free. The groups of a candidate list are computed once per list (the router
 * hands out one list per eligible set), so a request costs O(groups); the filter returns the same
 * sub-list instance for a group while the eligible set is unchanged, so later parts can cache by
 * identity. Put it first in a composite.
 */
public final class PriorityGroupFilter implements WorkerFilter {

  /** The name of this filter. */
  public static final String NAME = "priority_group";

  private final PriorityFailoverConfig config;
  private final long cooldownNanos;
  private final ListCache<Groups> groups = new ListCache<>(Groups::new);
  private final AtomicReference<@Nullable String> active = new AtomicReference<>();
  private final ConcurrentHashMap<String, Long> cooldownUntil = new ConcurrentHashMap<>();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();

  /** Creates the filter with {@link PriorityFailoverConfig#defaults()}. */
  public PriorityGroupFilter() {
    this(PriorityFailoverConfig.defaults());
  }

  /**
   * Creates the filter.
   *
   * @param config the settings
   */
  public PriorityGroupFilter(PriorityFailoverConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    long nanos;
    try {
      nanos = config.cooldown().toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 4;
    }
    this.cooldownNanos = nanos;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<WorkerView> filter(RequestView request, List<WorkerView> candidates) {
    Groups g = groups.get(candidates);
    long now = config.ticker().getAsLong();
    String current = active.get();
    int at = current == null ? -1 : g.indexOf(current);
    int best = -1;
    for (int i = 0; i < g.names.length; i++) {
      if (!cooling(g.names[i], now)) {
        best = i;
        break;
      }
    }
    if (best < 0) {
      best = 0;
    }
    int target;
    if (at < 0) {
      if (current != null) {
        startCooldown(current, now);
      }
      target = best;
    } else {
      target = best < at ? best : at;
    }
    if (target != at) {
      if (active.compareAndSet(current, g.names[target])) {
        consecutiveFailures.set(0);
      }
    }
    return g.members.get(target);
  }

  private boolean cooling(String group, long now) {
    Long until = cooldownUntil.get(group);
    return until != null && now - until < 0;
  }

  private void startCooldown(String group, long now) {
    cooldownUntil.put(group, now + cooldownNanos);
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    int limit = config.failoverAfterFailures();
    if (limit == 0) {
      return;
    }
    String current = active.get();
    if (current == null || !current.equals(feedback.worker().worker().group())) {
      return;
    }
    RequestOutcome outcome = feedback.outcome();
    if (outcome == RequestOutcome.SUCCESS) {
      consecutiveFailures.set(0);
    } else if (outcome == RequestOutcome.WORKER_ERROR || outcome == RequestOutcome.TIMEOUT) {
      if (consecutiveFailures.incrementAndGet() >= limit
          && active.compareAndSet(current, null)) {
        // The next request picks the best group not in cooldown.
        startCooldown(current, config.ticker().getAsLong());
        consecutiveFailures.set(0);
      }
    }
  }

  /**
   * The group traffic goes to now.
   *
   * @return the group's name, or null before the first request
   */
  public @Nullable String activeGroup() {
    return active.get();
  }

  /**
   * How much longer a group stays in cooldown.
   *
   * @param group the group's name
   * @return the remaining cooldown, zero when none
   */
  public Duration remainingCooldown(String group) {
    Long until = cooldownUntil.get(Objects.requireNonNull(group, "group"));
    long left = until == null ? 0 : until - config.ticker().getAsLong();
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  @Override
  public String toString() {
    return "PriorityGroupFilter{" + config + ", active=" + active.get() + "}";
  }

  /** The groups of one candidate list, best first, with their sub-lists. Immutable. */
  private static final class Groups {
    final String[] names;
    final List<List<WorkerView>> members;
    final Map<String, Integer> index = new HashMap<>();

    Groups(List<WorkerView> candidates) {
      Map<String, List<WorkerView>> byGroup = new LinkedHashMap<>();
      Map<String, Integer> priority = new HashMap<>();
      for (WorkerView w : candidates) {
        String g = w.worker().group();
        byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(w);
        priority.merge(g, w.worker().priority(), Math::min);
      }
      List<String> order = new ArrayList<>(byGroup.keySet());
      order.sort(Comparator.comparingInt((String g) -> priority.get(g)).thenComparing(g -> g));
      names = order.toArray(new String[0]);
      List<List<WorkerView>> m = new ArrayList<>(names.length);
      for (int i = 0; i < names.length; i++) {
        m.add(names.length == 1 ? candidates : List.copyOf(byGroup.get(names[i])));
        index.put(names[i], i);
      }
      members = List.copyOf(m);
    }

    int indexOf(String group) {
      Integer i = index.get(group);
      return i == null ? -1 : i;
    }
  }
}
