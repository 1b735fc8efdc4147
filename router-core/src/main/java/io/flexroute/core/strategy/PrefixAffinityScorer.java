package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.internal.PrefixForest;
import io.flexroute.core.strategy.internal.PrefixKey;
import io.flexroute.core.strategy.internal.PrefixTree;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerScorer;
import io.flexroute.spi.WorkerView;
import java.util.List;

/**
 * Scores each candidate by the share of the request's prompt it was sent before: the length of the
 * longest prefix recorded for it in an approximate prefix tree (as {@link CacheAwareStrategy}
 * keeps) over the prompt's length, from 0 to 1. The tree records the prompt for the chosen worker
 * in {@link #onSelected}.
 *
 * <p>Thread-safe; the tree is read without locks. Scoring costs O(prompt length) plus the holders
 * of the nodes on the prompt's path. Recording reuses the walk scoring made on the same thread
 * (match and insert are one pass over the prompt), unless another part walked a tree in between.
 */
public final class PrefixAffinityScorer implements WorkerScorer {

  /** The name of this scorer. */
  public static final String NAME = "prefix_affinity";

  /** The default budget of each worker in the tree: {@value}, as {@link CacheAwareConfig}'s. */
  public static final long DEFAULT_MAX_TREE_SIZE = CacheAwareConfig.DEFAULT_MAX_TREE_SIZE;

  private final PrefixForest forest;

  /** Creates the scorer with a budget of {@value #DEFAULT_MAX_TREE_SIZE} elements per worker. */
  public PrefixAffinityScorer() {
    this(DEFAULT_MAX_TREE_SIZE);
  }

  /**
   * Creates the scorer.
   *
   * @param maxTreeSizePerWorker each worker's budget in the tree, in tokens or characters
   * @throws IllegalArgumentException if below 1
   */
  public PrefixAffinityScorer(long maxTreeSizePerWorker) {
    if (maxTreeSizePerWorker < 1) {
      throw new IllegalArgumentException(
          "maxTreeSizePerWorker must be >= 1, but was " + maxTreeSizePerWorker);
    }
    // Workers leave the trees when they leave the fleet (onWorkerRemoved), not for being absent
    // from the lists this part sees: a filter in front of it (the KV-usage gate, a priority group)
    // leaves out workers that are only set aside for a while, and whose caches are intact.
    this.forest = new PrefixForest(maxTreeSizePerWorker, false);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void score(RequestView request, List<WorkerView> candidates, double[] scores) {
    PrefixKey key = PrefixKey.of(request);
    if (key == null) {
      return;
    }
    PrefixTree tree = forest.tree(request.model(), request.role(), key.tokenLevel());
    PrefixTree.FleetIndex index = tree.index(candidates);
    PrefixTree.Walk walk = tree.match(key, PrefixTree.walk()).owner(request).fleet(index);
    double length = key.length();
    int n = candidates.size();
    int assigned = 0;
    for (int i = walk.size() - 1; i >= 0 && assigned < n; i--) {
      PrefixTree.TenantSet holders = walk.holders(i);
      double share = walk.end(i) / length;
      for (int k = 0, h = holders.size(); k < h; k++) {
        int c = index.candidate(holders.tenantAt(k));
        if (c >= 0 && scores[c] == 0) {
          scores[c] = share;
          assigned++;
        }
      }
    }
  }

  @Override
  public void onSelected(RequestView request, WorkerView chosen) {
    PrefixKey key = PrefixKey.of(request);
    if (key == null) {
      return;
    }
    PrefixTree tree = forest.tree(request.model(), request.role(), key.tokenLevel());
    PrefixTree.Walk walk = PrefixTree.walk();
    if (!walk.isFor(tree, request)) {
      // Another tree was walked on this thread since score (or score did not run, because the
      // filters left one candidate): walk again.
      walk = tree.match(key, walk);
    }
    tree.insert(walk, tree.tenant(chosen.id()), tree.tick(), walk.fleet());
  }
  /** Removes the worker's prefixes from the trees. */
  @Override
  public void onWorkerRemoved(Worker worker) {
    forest.forget(worker.id());
  }


  @Override
  public String toString() {
    return "PrefixAffinityScorer";
  }
}
