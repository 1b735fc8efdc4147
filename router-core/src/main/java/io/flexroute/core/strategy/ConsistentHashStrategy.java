package io.flexroute.core.strategy;

import io.flexroute.Worker;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flexroute.TokenIds;
import io.flexroute.core.strategy.internal.Exclusions;
import io.flexroute.core.strategy.internal.HashRing;
import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.core.strategy.internal.Loads;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing with bounded load, plus sticky sessions: requests with the same key go to the
 * same worker while it is not overloaded, and a session stays on its worker until that worker
 * leaves.
 *
 * <h2>Rule</h2>
 *
 * <ul>
 *   <li>The key is the request's {@linkplain RequestView#routingKey() routing key}, or else a hash
 *       of its first {@code prefixTokens} prompt tokens (four times as many characters of a text
 *       prompt), so requests that share a long prefix meet on one worker.
 *   <li>The key's hash lands on a ring where each worker owns {@code virtualNodes} points; walking
 *       clockwise, the first worker whose in-flight count is below {@code ceil(loadFactor * (total
 *       + 1) / n)} takes it (consistent hashing with bounded loads, Mirrokni et al.). A popular
 *       key, such as a system prompt every request starts with, therefore spills over to the next
 *       workers instead of piling onto one.
 *   <li>A routing key is <em>sticky</em>: its worker is remembered (in a Caffeine cache, forgotten
 *       after {@code stickyIdle} without a request) and reused whatever its load, as long as it is
 *       a candidate. Adding workers never moves a session. Only when its worker leaves the
 *       candidates (removed, unhealthy, draining) is the key mapped again on the ring, atomically,
 *       and the new worker remembered. A worker left out of one selection only (a retry after this
 *       request failed on it, or it refused this request: see {@link
 *       RequestView#excludedWorkers()}) keeps the session: that request goes to the key's place on
 *       the ring among the others, the next request of the session comes back. Prefix keys are not
 *       sticky.
 * </ul>
 *
 * <h2>Cost and threading</h2>
 *
 * Thread-safe and lock-free apart from Caffeine's internals. A selection is a cache lookup or a
 * binary search on the ring (O(log n)) plus a short walk; the mean load is exact up to {@code
 * exactScanLimit} candidates and sampled above. The ring is built once per candidate list (O(n log
 * n)).
 */
public final class ConsistentHashStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "consistent_hash";

  /** The most distinct workers visited on the ring before settling for the least loaded seen. */
  private static final int MAX_WALK = 64;

  private final ConsistentHashConfig config;
  private final ListCache<HashRing> rings;
  private volatile @Nullable HashRing lastBuilt;
  private final java.util.concurrent.atomic.AtomicInteger ringsBuilt =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Cache<String, String> sessions;

  /** Creates the strategy with {@link ConsistentHashConfig#defaults()}. */
  public ConsistentHashStrategy() {
    this(ConsistentHashConfig.defaults());
  }

  /**
   * Creates the strategy.
   *
   * @param config the settings
   */
  public ConsistentHashStrategy(ConsistentHashConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.rings = new ListCache<>(this::ringOf);
    java.util.function.LongSupplier ticker = config.ticker();
    this.sessions =
        Caffeine.newBuilder()
            .expireAfterAccess(config.stickyIdle())
            .maximumSize(config.maxSessions())
            .ticker(ticker::getAsLong)
            .executor(Runnable::run)
            .build();
  }

  /**
   * The ring of a candidate list: over the last ring built when that one holds every worker of the
   * list (the router's lists without a failed or full worker, for retries and re-selections), so
   * such a list costs O(n) instead of a ring of its own.
   */
  private HashRing ringOf(List<WorkerView> candidates) {
    HashRing base = lastBuilt;
    if (base != null && base.size() > candidates.size() && base.holdsAll(candidates)) {
      return new HashRing(base, candidates);
    }
    HashRing built = new HashRing(candidates, config.virtualNodes());
    ringsBuilt.incrementAndGet();
    lastBuilt = built;
    return built;
  }

  /** @return how many rings of their own were built (for tests) */
  int ringsBuilt() {
    return ringsBuilt.get();
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return the settings */
  public ConsistentHashConfig config() {
    return config;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    HashRing ring = rings.get(candidates);
    String session = request.routingKey();
    if (session == null) {
      return Choice.of(candidates.get(place(ring, prefixHash(request), candidates)));
    }
    String pinned = sessions.getIfPresent(session);
    if (pinned != null) {
      int at = ring.position(pinned);
      if (at >= 0) {
        return Choice.of(candidates.get(at));
      }
    }
    // First request of the session, or its worker left the candidates: map it on the ring. The
    // mapping is atomic per key, so concurrent first requests of one session agree on a worker. A
    // worker left out of this selection only (this request failed on it, or it refused the
    // request) keeps the session: the request goes where the ring says, the pin stays.
    int[] chosen = {-1};
    sessions
        .asMap()
        .compute(
            session,
            (key, current) -> {
              int at = current == null ? -1 : ring.position(current);
              if (at >= 0) {
                chosen[0] = at;
                return current;
              }
              chosen[0] = place(ring, HashRing.hash(key), candidates);
              return current != null && Exclusions.excludes(request, current)
                  ? current
                  : candidates.get(chosen[0]).id();
            });
    return Choice.of(candidates.get(chosen[0]));
  }

  private long prefixHash(RequestView request) {
    TokenIds ids = request.promptTokenIds();
    if (ids != null) {
      return HashRing.hashPrefix(ids, config.prefixTokens());
    }
    String text = request.promptText();
    if (text != null) {
      return HashRing.hashPrefix(text, config.prefixTokens() * 4);
    }
    return ThreadLocalRandom.current().nextLong();
  }

  /** The candidate a key's hash maps to. */
  private int place(HashRing ring, long hash, List<WorkerView> candidates) {
    return candidates.size() == 1 ? 0 : walk(ring, hash, candidates);
  }

  /** Walks the ring from the key's point to the first worker under the load bound. */
  private int walk(HashRing ring, long hash, List<WorkerView> candidates) {
    int n = candidates.size();
    Loads loads = new Loads().measure(candidates, config.exactScanLimit(), config.sampleSize());
    double total = loads.mean() * n;
    long capacity = (long) Math.ceil(config.loadFactor() * (total + 1) / n);
    int points = ring.pointCount();
    int p = ring.firstPoint(hash);
    int maxDistinct = Math.min(n, MAX_WALK);
    int[] seen = new int[maxDistinct];
    int distinct = 0;
    int best = -1;
    int bestLoad = Integer.MAX_VALUE;
    for (int step = 0; step < points && distinct < maxDistinct; step++) {
      int owner = ring.owner(p);
      p = p + 1 == points ? 0 : p + 1;
      if (owner < 0 || contains(seen, distinct, owner)) {
        continue; // a worker the list lacks (a ring over part of another), or one already seen
      }
      seen[distinct++] = owner;
      int load = candidates.get(owner).inFlightRequests();
      if (load < capacity) {
        return owner;
      }
      if (load < bestLoad) {
        best = owner;
        bestLoad = load;
      }
    }
    return best >= 0 ? best : loads.argMin;
  }

  private static boolean contains(int[] a, int length, int value) {
    for (int i = 0; i < length; i++) {
      if (a[i] == value) {
        return true;
      }
    }
    return false;
  }

  /** Forgets the worker's sessions, which would be mapped again anyway. O(sessions). */
  @Override
  public void onWorkerRemoved(Worker worker) {
    String id = worker.id();
    sessions.asMap().values().removeIf(id::equals);
  }

  /**
   * The worker a sticky session is mapped to.
   *
   * @param routingKey the session's routing key
   * @return the worker id, or null when the session is unknown or expired
   */
  public @Nullable String stickyWorker(String routingKey) {
    return sessions.getIfPresent(Objects.requireNonNull(routingKey, "routingKey"));
  }

  /**
   * Forgets a sticky session at once, for example when a conversation has ended.
   *
   * @param routingKey the session's routing key
   */
  public void forget(String routingKey) {
    sessions.invalidate(Objects.requireNonNull(routingKey, "routingKey"));
  }

  @Override
  public String toString() {
    return "ConsistentHashStrategy{" + config + "}";
  }
}
