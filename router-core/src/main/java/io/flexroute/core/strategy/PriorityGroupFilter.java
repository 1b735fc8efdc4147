package io.flexroute.core.strategy;

import io.flexroute.RequestOutcome;
import io.flexroute.WorkerRole;
import io.flexroute.core.strategy.internal.Exclusions;
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
 * lowest {@linkplain io.flexroute.Worker#priority() priority} of its workers among the candidates
 * (lower is preferred, ties by name; the filter sees only candidates, so give a group's workers one
 * priority). Each model and role fails over on its own (a group that serves only some models is
 * not failed for the others). For each request:
 *
 * <ul>
 *   <li>When the active group has no candidate (all its workers are unhealthy, draining or gone),
 *       it is marked failed and the best group not cooling down becomes active at once. A group
 *       whose workers are only left out of one selection (a retry after the request failed on
 *       them, or they refused it: see {@link RequestView#excludedWorkers()}) is not failed: that
 *       request goes to the best other group and the active group stays.
 *   <li>With {@code failoverAfterFailures > 0}, that many consecutive failed requests (worker
 *       errors, timeouts) on the active group do the same, even while its workers look healthy.
 *   <li>A failed group cools down: it takes traffic back only once it has stayed available for
 *       {@code cooldown} since the last request that found it failed (unavailable, or failing
 *       requests). A group that flaps therefore keeps cooling down and cannot pull traffic back and
 *       forth; once it is steady, traffic moves back without any operator action.
 *   <li>When every group with candidates is cooling down, the active group is kept if it has
 *       candidates, else the best group is used: the filter never declines a request that some
 *       worker can take.
 * </ul>
 *
 * This is the request forwarder's group failover without its flaws: failover is driven by every
 * request, not by a retry path that may never run; a group that is still failing cannot come back
 * just because a timer expired during its outage; cooldown expiry fails back automatically; groups
 * are kept per model, so one model's outage does not move another model's traffic.
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

  private static final String ANY_MODEL = "\u0000any";

  private final PriorityFailoverConfig config;
  private final long cooldownNanos;
  private final long refreshNanos;
  private final ListCache<Groups> groups = new ListCache<>(Groups::new);
  private final ConcurrentHashMap<String, FailoverState[]> states = new ConcurrentHashMap<>();

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
    // A failed group's time stamp is renewed at most 16 times per cooldown while it stays
    // unavailable, so a long outage costs one map write per cooldown / 16, not one per request.
    this.refreshNanos = nanos / 16;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<WorkerView> filter(RequestView request, List<WorkerView> candidates) {
    Groups g = groups.get(candidates);
    FailoverState state = state(request.model(), request.role());
    long now = config.ticker().getAsLong();
    if (!state.failedAt.isEmpty()) {
      renewFailures(state, g, now);
    }
    String current = state.active.get();
    int at = current == null ? -1 : g.indexOf(current);
    int best = -1;
    for (int i = 0; i < g.names.length; i++) {
      if (!cooling(state, g.names[i], now)) {
        best = i;
        break;
      }
    }
    if (current != null && at < 0) {
      if (Exclusions.excludesGroup(request, current)) {
        // The active group is only skipped by this request (it failed on the group's workers, or
        // they refused it): serve it from the best other group and leave the failover state alone.
        return g.members.get(best >= 0 ? best : 0);
      }
      markFailed(state, current, now);
    }
    int target;
    if (at >= 0) {
      target = best >= 0 && best < at ? best : at;
    } else {
      target = best >= 0 ? best : 0;
    }
    if (target != at && state.active.compareAndSet(current, g.names[target])) {
      state.consecutiveFailures.set(0);
    }
    return g.members.get(target);
  }

  /**
   * Renews the failure time of failed groups that are still unavailable (missing from the
   * candidates), and forgets those that have been available for a whole cooldown.
   */
  private void renewFailures(FailoverState state, Groups g, long now) {
    for (Map.Entry<String, Long> e : state.failedAt.entrySet()) {
      long since = now - e.getValue();
      if (g.indexOf(e.getKey()) < 0) {
        if (since > refreshNanos) {
          state.failedAt.replace(e.getKey(), e.getValue(), now);
        }
      } else if (since >= cooldownNanos) {
        state.failedAt.remove(e.getKey(), e.getValue());
      }
    }
  }

  private boolean cooling(FailoverState state, String group, long now) {
    Long failed = state.failedAt.get(group);
    return failed != null && now - failed < cooldownNanos;
  }

  private static void markFailed(FailoverState state, String group, long now) {
    state.failedAt.put(group, now);
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    int limit = config.failoverAfterFailures();
    if (limit == 0) {
      return;
    }
    FailoverState state = state(feedback.request().model(), feedback.request().role());
    String current = state.active.get();
    if (current == null || !current.equals(feedback.worker().worker().group())) {
      return;
    }
    RequestOutcome outcome = feedback.outcome();
    if (outcome == RequestOutcome.SUCCESS) {
      if (state.consecutiveFailures.get() != 0) {
        state.consecutiveFailures.set(0);
      }
    } else if (outcome == RequestOutcome.WORKER_ERROR || outcome == RequestOutcome.TIMEOUT) {
      if (state.consecutiveFailures.incrementAndGet() >= limit) {
        // Cooling before it is released: a request that chooses a group in between (seeing no
        // active one) must already skip it, or it would make the failed group active again. A
        // second mark by a thread that loses the release below only moves the cooldown's start.
        markFailed(state, current, config.ticker().getAsLong());
        if (state.active.compareAndSet(current, null)) {
          // The next request picks the best group not cooling down.
          state.consecutiveFailures.set(0);
        }
      }
    }
  }

  private FailoverState state(@Nullable String model, WorkerRole role) {
    String key = model == null ? ANY_MODEL : model;
    FailoverState[] byRole = states.get(key);
    if (byRole == null) {
      byRole = states.computeIfAbsent(key, k -> newStates());
    }
    return byRole[role.ordinal()];
  }

  private static FailoverState[] newStates() {
    FailoverState[] out = new FailoverState[WorkerRole.values().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = new FailoverState();
    }
    return out;
  }

  /**
   * The group the requests for a model and role go to now.
   *
   * @param model the model, or null for requests that name none
   * @param role the role
   * @return the group's name, or null before the first such request
   */
  public @Nullable String activeGroup(@Nullable String model, WorkerRole role) {
    return state(model, Objects.requireNonNull(role, "role")).active.get();
  }

  /**
   * How much longer a group stays cooling down for a model and role, if it stays available.
   *
   * @param model the model, or null for requests that name none
   * @param role the role
   * @param group the group's name
   * @return the remaining cooldown, zero when none
   */
  public Duration remainingCooldown(@Nullable String model, WorkerRole role, String group) {
    Objects.requireNonNull(group, "group");
    Long failed = state(model, Objects.requireNonNull(role, "role")).failedAt.get(group);
    long left = failed == null ? 0 : cooldownNanos - (config.ticker().getAsLong() - failed);
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  @Override
  public String toString() {
    return "PriorityGroupFilter{" + config + "}";
  }

  /** The failover state of one model and role. Thread-safe. */
  private static final class FailoverState {
    final AtomicReference<@Nullable String> active = new AtomicReference<>();
    final ConcurrentHashMap<String, Long> failedAt = new ConcurrentHashMap<>();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
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
