package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.internal.Exclusions;
import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps every session on one worker: requests with the same {@linkplain
 * io.flexroute.InferenceRequest#routingKey() routing key} go to the worker that served the key
 * before, as long as that worker is a candidate (healthy, not draining, serving the model), so a
 * multi-turn conversation or RL trajectory finds its KV cache where it left it.
 *
 * <p>A key seen for the first time, a key whose worker is no longer a candidate, and a key unused
 * for longer than the session TTL are routed like {@link LeastInFlightStrategy} and pinned to the
 * worker chosen. A worker left out of one selection only (a retry after the request failed on it,
 * or it refused the request: see {@link RequestView#excludedWorkers()}) keeps its pin; that request
 * alone is routed like {@link LeastInFlightStrategy}. Requests without a routing key are routed like {@link LeastInFlightStrategy} and
 * pin nothing.
 *
 * <h2>Memory</h2>
 *
 * The pins live in a {@link ConcurrentHashMap} (key to worker id and last use). A sweep removes pins
 * unused for longer than the TTL every {@value #SWEEP_INTERVAL} new pins, and, when the map holds more
 * than {@code maxSessions} pins, also the least recently used ones down to 90% of {@code
 * maxSessions}. Concurrent selections can push the count briefly above the bound until the sweep
 * they trigger runs. {@link #forget(String)} drops a finished session's pin at once.
 *
 * <h2>Threading</h2>
 *
 * Thread-safe. A pinned request costs two hash lookups (the pin, then the worker in an index of
 * the candidate list, built once per list); the first request of a session, or one whose worker
 * left, is routed by {@link LeastInFlightStrategy}'s full scan (O(n)). It takes no lock. Sweeps run on the selecting thread that triggers
 * them, one at a time (others skip). When two first requests of one key race, the first pin stored
 * wins and both requests go to its worker when it is a candidate.
 */
public final class SessionAffinityStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "session_affinity";

  /** The default bound on pinned sessions: 100,000. */
  public static final int DEFAULT_MAX_SESSIONS = 100_000;

  /** The default time after its last request that a session's pin expires: 30 minutes. */
  public static final Duration DEFAULT_SESSION_TTL = Duration.ofMinutes(30);

  /** New pins between two sweeps for expired pins. */
  static final int SWEEP_INTERVAL = 4096;

  private final ConcurrentHashMap<String, Pin> pins = new ConcurrentHashMap<>();
  private final LeastInFlightStrategy fallback = new LeastInFlightStrategy();
  private final ListCache<Map<String, WorkerView>> byId =
      new ListCache<>(SessionAffinityStrategy::index);
  private final int maxSessions;
  private final int lowWatermark;
  private final long ttlNanos;
  private final LongSupplier nanoTicker;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final AtomicInteger pinsSinceSweep = new AtomicInteger();

  /**
   * Creates the strategy with {@link #DEFAULT_MAX_SESSIONS} and {@link #DEFAULT_SESSION_TTL}.
   */
  public SessionAffinityStrategy() {
    this(DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_TTL);
  }

  /**
   * Creates the strategy with the given bounds, timed by {@link System#nanoTime()}.
   *
   * @param maxSessions how many sessions to keep pinned, at least 1
   * @param sessionTtl how long after its last request a pin expires, positive
   * @throws IllegalArgumentException if a bound is out of range
   */
  public SessionAffinityStrategy(int maxSessions, Duration sessionTtl) {
    this(maxSessions, sessionTtl, System::nanoTime);
  }

  /**
   * Creates the strategy with the given bounds and clock; tests pass a fake clock.
   *
   * @param maxSessions how many sessions to keep pinned, at least 1
   * @param sessionTtl how long after its last request a pin expires, positive
   * @param nanoTicker a monotonic clock in nanoseconds, such as {@code System::nanoTime}
   * @throws IllegalArgumentException if a bound is out of range
   */
  public SessionAffinityStrategy(int maxSessions, Duration sessionTtl, LongSupplier nanoTicker) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be >= 1, but was " + maxSessions);
    }
    Objects.requireNonNull(sessionTtl, "sessionTtl");
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("sessionTtl must be positive, but was " + sessionTtl);
    }
    this.maxSessions = maxSessions;
    this.lowWatermark = Math.max(1, (int) (maxSessions * 0.9));
    this.ttlNanos = saturatedNanos(sessionTtl);
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
  }

  private static long saturatedNanos(Duration d) {
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
  public Choice select(RequestView request, List<WorkerView> candidates) {
    String key = request.routingKey();
    if (key == null) {
      return fallback.select(request, candidates);
    }
    long now = nanoTicker.getAsLong();
    Pin pin = pins.get(key);
    if (pin != null && pin.isLive(now, ttlNanos)) {
      WorkerView pinned = find(candidates, pin.workerId);
      if (pinned != null) {
        pin.touch(now);
        return Choice.of(pinned);
      }
      if (Exclusions.excludes(request, pin.workerId)) {
        // Its worker is left out of this selection only (the request failed on it, or it refused
        // the request): route this request elsewhere and keep the session's pin.
        pin.touch(now);
        return fallback.select(request, candidates);
      }
    }
    Choice choice = fallback.select(request, candidates);
    WorkerView chosen = choice.worker();
    if (chosen == null) {
      return choice;
    }
    Pin fresh = new Pin(chosen.id(), now);
    boolean installed =
        pin == null ? pins.putIfAbsent(key, fresh) == null : pins.replace(key, pin, fresh);
    if (!installed) {
      // Another request of this session pinned it meanwhile (a new session, or a pin that had
      // expired or lost its worker): follow that pin while it holds, so that both go to one worker.
      Pin raced = pins.get(key);
      WorkerView theirs = raced == null ? null : find(candidates, raced.workerId);
      if (theirs != null && raced.isLive(now, ttlNanos)) {
        raced.touch(now);
        return Choice.of(theirs);
      }
      pins.put(key, fresh);
    }
    afterPin(now);
    return choice;
  }

  /** Drops the pins of the worker's sessions, which would be routed anew anyway. O(sessions). */
  @Override
  public void onWorkerRemoved(Worker worker) {
    String id = worker.id();
    pins.values().removeIf(pin -> pin.workerId.equals(id));
  }

  /**
   * Drops the pin of a session, for example when an RL trajectory has ended; its next request, if
   * any, is routed as a new session.
   *
   * @param routingKey the session's routing key
   * @return whether a pin was dropped
   */
  public boolean forget(String routingKey) {
    return pins.remove(Objects.requireNonNull(routingKey, "routingKey")) != null;
  }

  /**
   * Returns the number of pinned sessions, expired pins not yet swept included.
   *
   * @return the number of pins
   */
  public int sessionCount() {
    return pins.size();
  }

  /**
   * Returns the id of the worker a session is pinned to, if its pin is present and not expired.
   *
   * @param routingKey the session's routing key
   * @return the worker id, or null
   */
  public @Nullable String pinnedWorker(String routingKey) {
    Pin pin = pins.get(Objects.requireNonNull(routingKey, "routingKey"));
    return pin != null && pin.isLive(nanoTicker.getAsLong(), ttlNanos) ? pin.workerId : null;
  }

  private @Nullable WorkerView find(List<WorkerView> candidates, String workerId) {
    return byId.get(candidates).get(workerId);
  }

  private static Map<String, WorkerView> index(List<WorkerView> candidates) {
    Map<String, WorkerView> out = new HashMap<>(candidates.size() * 2);
    for (WorkerView w : candidates) {
      out.putIfAbsent(w.id(), w);
    }
    return out;
  }

  private void afterPin(long now) {
    boolean due = pinsSinceSweep.incrementAndGet() >= SWEEP_INTERVAL;
    if ((due || pins.size() > maxSessions) && sweeping.compareAndSet(false, true)) {
      try {
        pinsSinceSweep.set(0);
        sweep(now);
      } finally {
        sweeping.set(false);
      }
    }
  }

  private void sweep(long now) {
    pins.values().removeIf(p -> !p.isLive(now, ttlNanos));
    int excess = pins.size() - lowWatermark;
    if (pins.size() <= maxSessions || excess <= 0) {
      return;
    }
    List<Map.Entry<String, Long>> byAge = new ArrayList<>(pins.size());
    for (Map.Entry<String, Pin> e : pins.entrySet()) {
      byAge.add(Map.entry(e.getKey(), e.getValue().lastUsed));
    }
    byAge.sort(Comparator.comparingLong(e -> e.getValue() - now));
    for (int i = 0; i < excess && i < byAge.size(); i++) {
      Map.Entry<String, Long> oldest = byAge.get(i);
      Pin current = pins.get(oldest.getKey());
      if (current != null && current.lastUsed == oldest.getValue()) {
        pins.remove(oldest.getKey(), current);
      }
    }
  }

  @Override
  public String toString() {
    return "SessionAffinityStrategy{sessions=" + pins.size() + ", maxSessions=" + maxSessions
        + "}";
  }

  /** A session's worker and the time of its last request. */
  private static final class Pin {
    final String workerId;
    volatile long lastUsed;

    Pin(String workerId, long lastUsed) {
      this.workerId = workerId;
      this.lastUsed = lastUsed;
    }

    boolean isLive(long now, long ttlNanos) {
      return now - lastUsed <= ttlNanos;
    }

    void touch(long now) {
      if (lastUsed != now) {
        lastUsed = now;
      }
    }
  }
}
