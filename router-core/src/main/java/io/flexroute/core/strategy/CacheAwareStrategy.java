package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.internal.Loads;
import io.flexroute.core.strategy.internal.PrefixForest;
import io.flexroute.core.strategy.internal.PrefixKey;
import io.flexroute.core.strategy.internal.PrefixTree;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends a request where its prompt's prefix is most likely cached, without piling requests onto one
 * worker: SGLang's default {@code cache_aware} policy, with its known failure modes fixed.
 *
 * <h2>Rule</h2>
 *
 * An approximate radix tree per model (and worker role) records which worker was sent which prompt:
 * token ids when the request carries them, characters of the prompt text otherwise. For each
 * request, in one pass over the prompt:
 *
 * <ol>
 *   <li>The in-flight counts are read (the router's own in-flight guard counts, so the strategy
 *       cannot drift onto a worker through a leaked count). The fleet is <em>imbalanced</em> when
 *       the most loaded worker has more than {@code balanceAbsThreshold} requests more than the
 *       least loaded and more than {@code balanceRelThreshold} times as many.
 *   <li><em>Balanced</em>: the request follows the longest cached prefix when it covers more than
 *       {@code cacheThreshold} of the prompt. Every worker whose cached prefix is at most {@code
 *       matchTolerance} of the prompt shorter than the longest counts as holding it, and the least
 *       loaded of them wins: requests that share a system prompt and differ after it spread over
 *       the workers that hold the system prompt instead of following whichever worker happens to
 *       hold a few more matching characters. Without such a prefix the request goes to the
 *       least-loaded worker.
 *   <li><em>Imbalanced</em>: affinity is not dropped outright; the same rule applies among the
 *       workers whose in-flight count is within {@code min + loadWindowAbs + loadWindowRel * min},
 *       so a conversation stays on its worker unless that worker is far above the least loaded.
 *   <li>The prompt is recorded for the chosen worker; each worker's share of the tree is trimmed to
 *       {@code maxTreeSizePerWorker}, least recently used first.
 * </ol>
 *
 * <p>Ties on load go to fewer in-flight tokens, then to a random worker. Requests without a prompt
 * go to the least-loaded worker.
 *
 * <h2>Cost and threading</h2>
 *
 * Thread-safe; the tree is read without locks and changed under short per-node locks. A selection
 * walks the prompt once (the walk that matches it also records it: match and insert are one pass),
 * reads at most 64 holders of cached prefixes, and reads the loads of up to {@code exactScanLimit}
 * candidates (O(n)); above that, loads are sampled from {@code sampleSize} random candidates, so
 * the cost does not grow with the fleet.
 */
public final class CacheAwareStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "cache_aware";

  /** Holders of one tree node examined per request; more are sampled from a random start. */
  private static final int MAX_HOLDERS_EXAMINED = 32;

  private final CacheAwareConfig config;
  private final PrefixForest forest;

  /** Creates the strategy with {@link CacheAwareConfig#defaults()}. */
  public CacheAwareStrategy() {
    this(CacheAwareConfig.defaults());
  }

  /**
   * Creates the strategy.
   *
   * @param config the settings
   */
  public CacheAwareStrategy(CacheAwareConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.forest = new PrefixForest(config.maxTreeSizePerWorker(), true);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return the settings */
  public CacheAwareConfig config() {
    return config;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    Loads loads = new Loads().measure(candidates, config.exactScanLimit(), config.sampleSize());
    PrefixKey key = PrefixKey.of(request);
    if (key == null) {
      return Choice.of(candidates.get(loads.argMin));
    }
    PrefixTree tree = forest.tree(request.model(), request.role(), key.tokenLevel());
    PrefixTree.FleetIndex index = tree.index(candidates);
    PrefixTree.Walk walk = tree.match(key, PrefixTree.walk());
    int chosen = -1;
    if (candidates.size() > 1) {
      boolean imbalanced =
          loads.max - loads.min > config.balanceAbsThreshold()
              && loads.max > config.balanceRelThreshold() * loads.min;
      // In doubles: a window of Integer.MAX_VALUE or a huge relative one means "always stay",
      // and must not wrap around to a negative limit (which would mean "never").
      double window =
          (double) loads.min + config.loadWindowAbs() + config.loadWindowRel() * loads.min;
      long limit = imbalanced && window < Long.MAX_VALUE ? (long) window : Long.MAX_VALUE;
      chosen = bestHolder(walk, index, candidates, limit, key.length());
    }
    if (chosen < 0) {
      chosen = loads.argMin;
    }
    tree.insert(walk, index.tenant(chosen), tree.tick(), index);
    return Choice.of(candidates.get(chosen));
  }

  /**
   * The least-loaded worker, within the load limit, among those whose cached prefix is above the
   * threshold and at most {@code matchTolerance} of the prompt shorter than the longest such
   * prefix; -1 when there is none. Walks the path from its deepest node up; at most {@value
   * #MAX_HOLDERS_EXAMINED} holders per node and twice as many in all are read, from random
   * starts.
   */
  private int bestHolder(
      PrefixTree.Walk walk, PrefixTree.FleetIndex index, List<WorkerView> candidates, long limit,
      int length) {
    double needed = config.cacheThreshold() * length;
    double tolerance = config.matchTolerance() * length;
    double floor = Double.NaN;
    int budget = 2 * MAX_HOLDERS_EXAMINED;
    Best best = new Best();
    for (int i = walk.size() - 1; i >= 0 && budget > 0; i--) {
      int end = walk.end(i);
      if (end <= needed || end < floor) {
        break;
      }
      budget -= examine(walk.holders(i), index, candidates, limit, best);
      if (best.candidate >= 0 && Double.isNaN(floor)) {
        floor = end - tolerance;
      }
    }
    return best.candidate;
  }

  /** The best candidate seen so far: fewest in-flight requests, then fewest in-flight tokens. */
  private static final class Best {
    int candidate = -1;
    int load = Integer.MAX_VALUE;
    long tokens = Long.MAX_VALUE;
  }

  /**
   * Reads up to {@value #MAX_HOLDERS_EXAMINED} of a node's holders from a random start and keeps
   * the least loaded one within the limit in {@code best}; returns how many were read.
   */
  private static int examine(
      PrefixTree.TenantSet holders, PrefixTree.FleetIndex index, List<WorkerView> candidates,
      long limit, Best best) {
    int h = holders.size();
    if (h == 0) {
      return 0;
    }
    int count = Math.min(h, MAX_HOLDERS_EXAMINED);
    int start = h <= 1 ? 0 : ThreadLocalRandom.current().nextInt(h);
    for (int k = 0; k < count; k++) {
      int at = start + k;
      int c = index.candidate(holders.tenantAt(at < h ? at : at - h));
      if (c < 0 || c == best.candidate) {
        continue;
      }
      WorkerView w = candidates.get(c);
      int load = w.inFlightRequests();
      if (load > limit) {
        continue;
      }
      long tokens = w.inFlightTokens();
      if (load < best.load || (load == best.load && tokens < best.tokens)) {
        best.candidate = c;
        best.load = load;
        best.tokens = tokens;
      }
    }
    return count;
  }

  /**
   * Removes the worker's prefixes from the trees at once (a worker long absent from the router's
   * lists, unhealthy say, is also purged gradually).
   */
  @Override
  public void onWorkerRemoved(Worker worker) {
    forest.forget(worker.id());
  }

  @Override
  public String toString() {
    return "CacheAwareStrategy{" + config + "}";
  }
}
