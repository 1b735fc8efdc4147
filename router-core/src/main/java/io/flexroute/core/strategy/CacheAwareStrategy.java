package io.flexroute.core.strategy;

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
 *       {@code cacheThreshold} of the prompt; among several workers holding that prefix (a shared
 *       system prompt), the least loaded. Otherwise it goes to the least-loaded worker.
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
 * costs O(prompt length) for the tree walk plus O(n) to read the loads of up to {@code
 * exactScanLimit} candidates; above that, loads are sampled, so the cost does not grow with the
 * fleet.
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
      long limit =
          imbalanced
              ? loads.min + config.loadWindowAbs() + (long) (config.loadWindowRel() * loads.min)
              : Long.MAX_VALUE;
      double needed = config.cacheThreshold() * key.length();
      for (int i = walk.size() - 1; i >= 0 && walk.end(i) > needed; i--) {
        chosen = leastLoadedHolder(walk.holders(i), index, candidates, limit);
        if (chosen >= 0) {
          break;
        }
      }
    }
    if (chosen < 0) {
      chosen = loads.argMin;
    }
    tree.insert(walk, index.tenant(chosen), tree.tick(), index);
    return Choice.of(candidates.get(chosen));
  }

  /**
   * The least-loaded candidate among a node's holders whose load is within the limit, or -1. At
   * most {@value #MAX_HOLDERS_EXAMINED} holders are read, from a random start.
   */
  static int leastLoadedHolder(
      PrefixTree.TenantSet holders, PrefixTree.FleetIndex index, List<WorkerView> candidates,
      long limit) {
    int h = holders.size();
    if (h == 0) {
      return -1;
    }
    int count = Math.min(h, MAX_HOLDERS_EXAMINED);
    int start = h <= 1 ? 0 : ThreadLocalRandom.current().nextInt(h);
    int best = -1;
    int bestLoad = Integer.MAX_VALUE;
    long bestTokens = Long.MAX_VALUE;
    for (int k = 0; k < count; k++) {
      int at = start + k;
      int c = index.candidate(holders.tenantAt(at < h ? at : at - h));
      if (c < 0) {
        continue;
      }
      WorkerView w = candidates.get(c);
      int load = w.inFlightRequests();
      if (load > limit) {
        continue;
      }
      long tokens = w.inFlightTokens();
      if (load < bestLoad || (load == bestLoad && tokens < bestTokens)) {
        best = c;
        bestLoad = load;
        bestTokens = tokens;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "CacheAwareStrategy{" + config + "}";
  }
}
