package io.flexroute.core.strategy.internal;

import io.flexroute.WorkerRole;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@link PrefixTree}s of a strategy: one per model, worker role and kind of key (token ids or
 * characters, which must not share a tree). Thread-safe; trees are created on first use.
 */
public final class PrefixForest {

  private static final String ANY_MODEL = "\u0000any";
  private static final int ROLES = WorkerRole.values().length;

  private final long maxSizePerWorker;
  private final boolean purgeAbsent;
  private final ConcurrentHashMap<String, PrefixTree[]> byModel = new ConcurrentHashMap<>();

  /**
   * Creates an empty forest.
   *
   * @param maxSizePerWorker each tree's budget per worker, in elements
   * @param purgeAbsent whether trees purge workers long absent from the candidates (see {@link
   *     PrefixTree#PrefixTree(long, boolean)})
   */
  public PrefixForest(long maxSizePerWorker, boolean purgeAbsent) {
    this.maxSizePerWorker = maxSizePerWorker;
    this.purgeAbsent = purgeAbsent;
  }

  /**
   * The tree for a model, role and kind of key.
   *
   * @param model the model, or null for requests that name none
   * @param role the role
   * @param tokenLevel whether the keys are token ids
   * @return the tree
   */
  public PrefixTree tree(@Nullable String model, WorkerRole role, boolean tokenLevel) {
    String m = model == null ? ANY_MODEL : model;
    PrefixTree[] trees = byModel.get(m);
    if (trees == null) {
      trees = byModel.computeIfAbsent(m, k -> newTrees());
    }
    return trees[role.ordinal() * 2 + (tokenLevel ? 1 : 0)];
  }

  /**
   * Removes a worker that left the fleet from every tree.
   *
   * @param workerId the worker's id
   */
  public void forget(String workerId) {
    for (PrefixTree[] trees : byModel.values()) {
      for (PrefixTree tree : trees) {
        tree.forget(workerId);
      }
    }
  }

  private PrefixTree[] newTrees() {
    PrefixTree[] trees = new PrefixTree[ROLES * 2];
    for (int i = 0; i < trees.length; i++) {
      trees[i] = new PrefixTree(maxSizePerWorker, purgeAbsent);
    }
    return trees;
  }
}
