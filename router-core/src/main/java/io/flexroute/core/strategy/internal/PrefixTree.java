package io.flexroute.core.strategy.internal;

import io.flexroute.TokenIds;
import io.flexroute.spi.WorkerView;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * An approximate, multi-tenant radix tree of the prompts a router sent to each worker (tenant): it
 * records which worker served which prefix, so that a strategy can send a request where its prefix
 * is most likely still in the KV cache. Elements are token ids or characters ({@link PrefixKey}); a
 * tree holds one kind only.
 *
 * <h2>Operations</h2>
 *
 * <ul>
 *   <li>{@link #match} walks the tree along a key without locking and records the path in a {@link
 *       Walk}: for every node on it, the length matched up to its end and its holders.
 *   <li>{@link #insert} records the key for the chosen worker, reusing the walk (match and insert
 *       are one pass over the key): it stamps the path's nodes for the worker, splits the edge
 *       where the key diverges and adds one leaf for the rest of the key, or, when the walk ended
 *       at the end of a leaf only this worker holds, grows that leaf (a conversation's next turn
 *       on its worker).
 *   <li>Each worker's share of the tree (the total length of the nodes it holds) is trimmed to a
 *       budget, least recently used first, by the thread whose insert crossed it. A per-worker
 * queue
 *       of (node, stamp) entries gives the LRU order in O(1) per evicted node; ancestors go with
 *       their last descendant when no later request touched them.
 *   <li>Workers absent from the candidate lists for long lose their entries gradually ({@link
 *       #index}), so a fleet whose workers change does not leak.
 * </ul>
 *
 * <h2>Threading</h2>
 *
 * Thread-safe. Matching takes no lock. Inserting takes a node's monitor only to change it (a new
 * holder, a split, a new child); a split holds the parent's and then the child's monitor, while
 * eviction holds one monitor at a time, so locks are always taken top-down. Concurrent changes can
 * make a match miss part of a prefix or an insert skip a branch: the tree is a hint, never wrong in
 * a way that matters beyond a worse choice.
 */
public final class PrefixTree {

  private static final VarHandle STAMPS = MethodHandles.arrayElementVarHandle(long[].class);

  /** Eviction trims a worker to this fraction of its budget, so it runs once per 10% of growth. */
  private static final double TRIM_TO = 0.9;

  /** Selections of its tree after which a worker absent from the candidates starts to be purged. */
  public static final long ABSENT_PURGE_DELAY = 65_536;

  /** Queue entries an insert spends purging an absent worker. */
  private static final int PURGE_STEPS = 16;

  /** The smallest eviction-queue length that triggers a compaction. */
  private static final int MIN_COMPACT = 1024;

  private static final ThreadLocal<Walk> WALKS = ThreadLocal.withInitial(Walk::new);

  private final long maxSize;
  private final long trimTo;
  private final boolean purgeAbsent;
  private final Node root = new Node(null, Label.ROOT);
  private final AtomicLong clock = new AtomicLong();
  private final ConcurrentHashMap<String, Tenant> tenantsById = new ConcurrentHashMap<>();
  private final Object registryLock = new Object();
  private volatile Tenant[] tenants = new Tenant[0];
  private volatile @Nullable FleetIndex lastIndex;
  private final ConcurrentHashMap<IdentityKey, FleetIndex> indexes = new ConcurrentHashMap<>();

  /**
   * Creates an empty tree.
   *
   * @param maxSizePerWorker the budget of each worker, in elements (tokens or characters)
   * @param purgeAbsent whether workers missing from {@link #index} calls for {@link
   *     #ABSENT_PURGE_DELAY} selections are purged; only for callers that pass the full candidate
   *     lists
   */
  public PrefixTree(long maxSizePerWorker, boolean purgeAbsent) {
    if (maxSizePerWorker < 1) {
      throw new IllegalArgumentException(
          "maxSizePerWorker must be >= 1, but was " + maxSizePerWorker);
    }
    this.maxSize = maxSizePerWorker;
    this.trimTo = Math.max(1, (long) (maxSizePerWorker * TRIM_TO));
    this.purgeAbsent = purgeAbsent;
  }

  /**
   * The calling thread's walk, reset. A walk must not be kept across calls that may use another
   * tree on the same thread.
   *
   * @return the walk
   */
  public static Walk walk() {
    return WALKS.get();
  }

  /**
   * A new logical time stamp; later stamps are larger.
   *
   * @return the stamp
   */
  public long tick() {
    return clock.incrementAndGet();
  }

  // ---------------------------------------------------------------- tenants and candidate lists

  /**
   * The worker state for an id, registering it on first sight.
   *
   * @param workerId the worker id
   * @return the tenant
   */
  public Tenant tenant(String workerId) {
    Tenant t = tenantsById.get(workerId);
    if (t != null) {
      return t;
    }
    synchronized (registryLock) {
      t = tenantsById.get(workerId);
      if (t == null) {
        // Tenants are never unregistered: a worker that leaves is purged of its entries, and its
        // few bytes of state stay for when it comes back.
        Tenant[] old = tenants;
        t = new Tenant(old.length, workerId);
        Tenant[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = t;
        tenants = grown;
        tenantsById.put(workerId, t);
      }
      return t;
    }
  }

  /**
   * The index of a candidate list: each candidate's tenant and each tenant's candidate position.
   * Cached by the list's identity (the router hands out one instance per eligible set), so this is
   * O(1) except the first time a list is seen, which is O(n).
   *
   * @param candidates the candidates
   * @return the index
   */
  public FleetIndex index(List<WorkerView> candidates) {
    FleetIndex last = lastIndex;
    if (last != null && last.candidates == candidates) {
      return last;
    }
    IdentityKey key = new IdentityKey(candidates);
    FleetIndex idx = indexes.get(key);
    if (idx == null) {
      if (indexes.size() >= 64) {
        indexes.clear();
      }
      idx = indexes.computeIfAbsent(key, k -> buildIndex(candidates));
    }
    lastIndex = idx;
    return idx;
  }

  private FleetIndex buildIndex(List<WorkerView> candidates) {
    int n = candidates.size();
    Tenant[] of = new Tenant[n];
    for (int i = 0; i < n; i++) {
      of[i] = tenant(candidates.get(i).id());
    }
    Tenant[] all = tenants;
    int[] candidateOf = new int[all.length];
    Arrays.fill(candidateOf, -1);
    for (int i = 0; i < n; i++) {
      candidateOf[of[i].index] = i;
    }
    int[] missing = new int[0];
    if (purgeAbsent) {
      missing = new int[all.length];
      int m = 0;
      for (Tenant t : all) {
        if (candidateOf[t.index] < 0) {
          missing[m++] = t.index;
        }
      }
      missing = Arrays.copyOf(missing, m);
    }
    return new FleetIndex(candidates, of, candidateOf, missing);
  }

  // ---------------------------------------------------------------- match and insert

  /**
   * Walks the tree along a key without locking.
   *
   * @param key the key
   * @param walk where to record the path (from {@link #walk()})
   * @return the walk
   */
  public Walk match(PrefixKey key, Walk walk) {
    walk.reset(this, key);
    Node cur = root;
    int pos = 0;
    int length = key.length();
    while (pos < length) {
      Node child = cur.children.get(key.at(pos));
      if (child == null) {
        break;
      }
      Label label = child.label;
      if (label.depth != pos) {
        break; // split concurrently: stop here, the match is a hint
      }
      int k = key.common(label, pos);
      if (k == 0) {
        break;
      }
      walk.push(child, pos + k);
      pos += k;
      if (k < label.length) {
        walk.partialLabel = label;
        walk.partialCount = k;
        break;
      }
      cur = child;
    }
    walk.matched = pos;
    return walk;
  }

  /**
   * Records a matched key for a worker: stamps the walk's nodes for it, splits the edge where the
   * key diverges, adds a leaf for the unmatched rest, then trims the worker to its budget.
   *
   * @param walk the walk {@link #match} just filled for this tree, on this thread
   * @param tenant the worker that takes the request
   * @param stamp the request's stamp from {@link #tick()}
   * @param fleet the index of the request's candidates (from {@link #index}), which tells which
   *     workers are absent; null when the caller does not pass full candidate lists
   */
  public void insert(Walk walk, Tenant tenant, long stamp, @Nullable FleetIndex fleet) {
    PrefixKey key = walk.key;
    if (key == null || walk.tree != this) {
      return;
    }
    if (tenant.absentSince >= 0) {
      tenant.absentSince = -1;
    }
    int pos = walk.matched;
    int full = walk.partialLabel != null ? walk.size - 1 : walk.size;
    Node tail = root;
    for (int i = 0; i < full; i++) {
      Node node = walk.nodes[i];
      if (!touch(node, tenant, stamp)) {
        finish(tenant, tail, stamp, fleet);
        return;
      }
      tail = node;
    }
    Label partial = walk.partialLabel;
    if (partial != null) {
      Node child = walk.nodes[walk.size - 1];
      if (pos == key.length() && holds(child, tenant)) {
        // Trimmed meanwhile: the queue entry goes to the last node this request did stamp.
        finish(tenant, touch(child, tenant, stamp) ? child : tail, stamp, fleet);
        return;
      }
      Node upper = split(tail, child, partial, walk.partialCount);
      if (upper == null || !touch(upper, tenant, stamp)) {
        finish(tenant, tail, stamp, fleet);
        return;
      }
      tail = upper;
    }
    if (pos < key.length()) {
      if (partial == null && tail != root && grow(tail, key, tenant)) {
        finish(tenant, tail, stamp, fleet);
        return;
      }
      Node leaf = addLeaf(tail, key, pos, tenant, stamp);
      if (leaf != null) {
        tail = leaf;
      }
    }
    finish(tenant, tail, stamp, fleet);
  }

  private void finish(Tenant tenant, Node deepest, long stamp, @Nullable FleetIndex fleet) {
    int queued = deepest != root ? tenant.queue.offer(deepest, stamp) : 0;
    if (tenant.size.get() > maxSize) {
      evict(tenant, trimTo, Integer.MAX_VALUE);
    } else if (queued > tenant.compactAt) {
      compact(tenant);
    }
    if (purgeAbsent && fleet != null) {
      purgeStep(fleet, stamp);
    }
  }

  /**
   * One O(1) step of forgetting workers that left: one candidate of this request is marked present
   * and one worker missing from its candidates is marked absent, or, once it has been absent for
   * {@link #ABSENT_PURGE_DELAY} stamps, loses a few of its entries. A worker missing only from
   * some lists (a retry that excludes it, a filter that gates it for a while) is marked present
   * again by the requests whose lists hold it.
   */
  private void purgeStep(FleetIndex fleet, long stamp) {
    Tenant[] present = fleet.tenantOf;
    Tenant seen = present[(int) Long.remainderUnsigned(stamp, present.length)];
    if (seen.absentSince >= 0) {
      seen.absentSince = -1;
    }
    int[] gone = fleet.absent;
    if (gone.length == 0) {
      return;
    }
    Tenant t = tenants[gone[(int) Long.remainderUnsigned(stamp, gone.length)]];
    long since = t.absentSince;
    if (since < 0) {
      t.absentSince = stamp;
    } else if (stamp - since > ABSENT_PURGE_DELAY && t.size.get() > 0) {
      evict(t, 0, PURGE_STEPS);
    }
  }

  private static boolean holds(Node node, Tenant tenant) {
    return node.tenants.find(tenant.index) >= 0;
  }

  /** Stamps a node for a tenant, adding the tenant if needed; false if the node is gone. */
  private boolean touch(Node node, Tenant tenant, long stamp) {
    TenantSet ts = node.tenants;
    int i = ts.find(tenant.index);
    if (i >= 0 && ts.refresh(i, stamp)) {
      return true;
    }
    synchronized (node) {
      if (node.dead) {
        return false;
      }
      ts = node.tenants;
      i = ts.find(tenant.index);
      if (i >= 0 && ts.refresh(i, stamp)) {
        return true;
      }
      node.tenants = ts.with(tenant.index, stamp, tenants.length);
      tenant.size.addAndGet(node.length);
      return true;
    }
  }

  /**
   * Splits {@code child} (a child of {@code parent}) after {@code k} elements; returns the new
   * upper
   * node, or null when the tree changed since the walk.
   */
  private @Nullable Node split(Node parent, Node child, Label seen, int k) {
    synchronized (parent) {
      if (parent.dead || parent.children.get(seen.at(0)) != child) {
        return null;
      }
      synchronized (child) {
        if (child.dead || child.label != seen) {
          return null;
        }
        Node upper = new Node(parent, seen.slice(0, k));
        upper.tenants = child.tenants.copy();
        upper.children = Children.EMPTY.with(seen.at(k), child);
        child.label = seen.slice(k, seen.length);
        child.length = seen.length - k;
        child.parent = upper;
        parent.children = parent.children.replace(child, upper);
        return upper;
      }
    }
  }

  /**
   * Extends a leaf that only this worker holds to the end of the key, in place of a new child: the
   * next turn of a conversation that stays on its worker then adds no node, so that the walk of
   * the turn after it reads one edge instead of one node per earlier turn (each a cache miss),
   * and trimming later frees the conversation in one step. Only when the grown label can refer to
   * the prompt instead of copying it (token ids or characters covering at least half of the
   * prompt): a copy of the whole leaf per turn would cost more than the node it saves.
   *
   * @return false when the leaf does not qualify (or changed since the walk); nothing changed
   */
  private boolean grow(Node leaf, PrefixKey key, Tenant tenant) {
    Label old = leaf.label;
    if (leaf.children.size() != 0 || !soleHolder(leaf.tenants, tenant)) {
      return false;
    }
    Label grown = key.sharedLabel(old.depth, key.length());
    if (grown == null) {
      return false;
    }
    synchronized (leaf) {
      if (leaf.dead
          || leaf.label != old
          || leaf.children.size() != 0
          || !soleHolder(leaf.tenants, tenant)) {
        return false;
      }
      // A walk that read the old label matched its shorter edge: it sees less, never more.
      leaf.label = grown;
      tenant.size.addAndGet(grown.length - leaf.length);
      leaf.length = grown.length;
      return true;
    }
  }

  private static boolean soleHolder(TenantSet holders, Tenant tenant) {
    return holders.size() == 1 && holders.tenantAt(0) == tenant.index;
  }

  private @Nullable Node addLeaf(
      Node parent, PrefixKey key, int pos, Tenant tenant, long stamp) {
    int first = key.at(pos);
    Label label = key.label(pos, key.length());
    // The node and its holder set are allocated together, so that they share cache lines when
    // trimming reads them again long after.
    Node leaf = new Node(parent, label);
    leaf.tenants = TenantSet.EMPTY.with(tenant.index, stamp, 0);
    synchronized (parent) {
      if (parent.dead || parent.children.get(first) != null) {
        return null;
      }
      parent.children = parent.children.with(first, leaf);
    }
    tenant.size.addAndGet(label.length);
    return leaf;
  }

  // ---------------------------------------------------------------- eviction

  /** Evicts a tenant's least recently used nodes until its size is at most {@code target}. */
  /**
   * Removes every entry of a worker that left the fleet, at once (its queue of entries, O(its
   * entries)). Inserts for it that race the removal may leave a few, which trimming handles.
   *
   * @param workerId the worker's id
   */
  public void forget(String workerId) {
    Tenant tenant = tenantsById.get(workerId);
    if (tenant == null) {
      return;
    }
    tenant.lock.lock();
    try {
      EvictionQueue.Polled e = new EvictionQueue.Polled();
      while (tenant.size.get() > 0 && tenant.queue.poll(e)) {
        removeUpwards(e.node, tenant, e.stamp);
      }
    } finally {
      tenant.lock.unlock();
    }
  }

  private void evict(Tenant tenant, long target, int maxSteps) {
    if (!tenant.lock.tryLock()) {
      return; // another thread is trimming this worker
    }
    try {
      int steps = 0;
      EvictionQueue.Polled e = new EvictionQueue.Polled();
      while (tenant.size.get() > target && steps++ < maxSteps && tenant.queue.poll(e)) {
        removeUpwards(e.node, tenant, e.stamp);
      }
    } finally {
      tenant.lock.unlock();
    }
  }

  /**
   * Removes a tenant from a node last touched at {@code stamp} and from the ancestors no later
   * request touched; unlinks nodes left without holders and children.
   */
  private void removeUpwards(Node start, Tenant tenant, long stamp) {
    Node node = start;
    while (node != root) {
      Node parent;
      boolean unlink;
      synchronized (node) {
        if (node.dead) {
          // Trimmed by another entry (or raced by an insert whose leaf it was): its ancestors may
          // still carry this stamp, with no other entry to remove them.
          Node up = node.parent;
          if (up == null) {
            return;
          }
          node = up;
          continue;
        }
        TenantSet ts = node.tenants;
        int i = ts.find(tenant.index);
        if (i >= 0) {
          TenantSet after = ts.withoutIfNotNewer(i, stamp);
          if (after == null) {
            return; // touched since: still in use
          }
          node.tenants = after;
          tenant.size.addAndGet(-node.length);
        } else if (ts.size() > 0) {
          return;
        }
        unlink = node.tenants.size() == 0 && node.children.size() == 0;
        if (unlink) {
          node.dead = true;
        }
        parent = node.parent;
      }
      if (parent == null) {
        return;
      }
      if (unlink) {
        synchronized (parent) {
          parent.children = parent.children.without(node);
        }
      }
      node = parent;
    }
  }

  /**
   * Drops stale queue entries (nodes touched again since, or gone), keeping the live ones in
   * front of those queued meanwhile.
   */
  private static void compact(Tenant tenant) {
    if (!tenant.lock.tryLock()) {
      return;
    }
    try {
      EvictionQueue.Batch batch = new EvictionQueue.Batch();
      int n = tenant.queue.takeAll(batch);
      int live = 0;
      for (int i = 0; i < n; i++) {
        Node node = batch.nodes[i];
        long stamp = batch.stamps[i];
        // A trimmed node's entry still covers the ancestors its request stamped: it moves up to
        // the nearest one that is alive.
        while (node.dead && node.parent != null) {
          node = node.parent;
        }
        TenantSet ts = node.tenants;
        int at = ts.find(tenant.index);
        if (!node.dead && at >= 0 && ts.stamp(at) == stamp) {
          batch.nodes[live] = node;
          batch.stamps[live] = stamp;
          live++;
        }
      }
      tenant.queue.prepend(batch, live);
      tenant.compactAt = 2 * live + MIN_COMPACT;
    } finally {
      tenant.lock.unlock();
    }
  }

  // ---------------------------------------------------------------- inspection

  /**
   * The number of elements a worker holds in the tree.
   *
   * @param workerId the worker id
   * @return the size, 0 for an unknown worker
   */
  public long sizeOf(String workerId) {
    Tenant t = tenantsById.get(workerId);
    return t == null ? 0 : t.size.get();
  }

  /**
   * The number of nodes, root excluded; walks the whole tree (for tests and reports).
   *
   * @return the count
   */
  public int nodeCount() {
    int count = 0;
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      Children c = n.children;
      for (int i = 0; i < c.size(); i++) {
        stack.add(c.nodes[i]);
        count++;
      }
    }
    return count;
  }

  /**
   * Recounts a worker's size by walking the whole tree: the total label length of the nodes it
   * holds. Equal to {@link #sizeOf} when the tree is quiet (for tests).
   *
   * @param workerId the worker id
   * @return the recounted size, 0 for an unknown worker
   */
  long recount(String workerId) {
    Tenant t = tenantsById.get(workerId);
    if (t == null) {
      return 0;
    }
    long total = 0;
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (n != root && n.tenants.find(t.index) >= 0) {
        total += n.label.length;
      }
      Children c = n.children;
      for (int i = 0; i < c.size(); i++) {
        stack.add(c.nodes[i]);
      }
    }
    return total;
  }

  /**
   * The id of a tenant index.
   *
   * @param index the tenant index
   * @return the worker id
   */
  public String workerId(int index) {
    return tenants[index].id;
  }

  // ---------------------------------------------------------------- types

  /**
   * The per-thread record of one {@link #match}: the nodes on the key's path with the matched
   * length
   * at each. Not thread-safe: owned by its thread.
   */
  public static final class Walk {
    Node[] nodes = new Node[16];
    int[] ends = new int[16];
    int size;
    int matched;
    @Nullable PrefixTree tree;
    @Nullable PrefixKey key;
    @Nullable Label partialLabel;
    int partialCount;
    @Nullable Object owner;
    @Nullable FleetIndex fleet;

    Walk() {}

    void reset(PrefixTree tree, PrefixKey key) {
      this.tree = tree;
      this.key = key;
      size = 0;
      matched = 0;
      partialLabel = null;
      partialCount = 0;
      owner = null;
      fleet = null;
    }

    /**
     * Tags the walk with what it was made for (a request), so that a later step on the same thread
     * can reuse it instead of walking the tree again ({@link #isFor}).
     *
     * @param owner the tag, compared by identity
     * @return this walk
     */
    public Walk owner(Object owner) {
      this.owner = owner;
      return this;
    }

    /**
     * Remembers the candidate index the walk's request was scored with, for the insert that
     * follows on the same thread ({@link #fleet()}).
     *
     * @param fleet the index
     * @return this walk
     */
    public Walk fleet(FleetIndex fleet) {
      this.fleet = fleet;
      return this;
    }

    /** @return the index given to {@link #fleet(FleetIndex)} since the walk was made, or null */
    public @Nullable FleetIndex fleet() {
      return fleet;
    }

    /**
     * Whether this walk is the last one made in a tree and was tagged with this owner.
     *
     * @param tree the tree
     * @param owner the tag
     * @return {@code true} if the walk can be reused for an insert
     */
    public boolean isFor(PrefixTree tree, Object owner) {
      return this.tree == tree && this.owner == owner && key != null;
    }

    void push(Node node, int end) {
      if (size == nodes.length) {
        nodes = Arrays.copyOf(nodes, size * 2);
        ends = Arrays.copyOf(ends, size * 2);
      }
      nodes[size] = node;
      ends[size] = end;
      size++;
    }

    /** @return the number of nodes on the path */
    public int size() {
      return size;
    }

    /** @return the number of key elements matched */
    public int matched() {
      return matched;
    }

    /** @return the key's length */
    public int keyLength() {
      PrefixKey k = key;
      return k == null ? 0 : k.length();
    }

    /**
     * The key elements matched up to the end of a path node (inside it, for the last node when the
     * key diverges within its edge).
     *
     * @param i the path position, from 0 (nearest the root)
     * @return the matched length
     */
    public int end(int i) {
      return ends[i];
    }

    /**
     * The holders of a path node.
     *
     * @param i the path position
     * @return the holders
     */
    public TenantSet holders(int i) {
      return nodes[i].tenants;
    }
  }

  /**
   * One worker's state in a tree: its index, size and eviction queue. Thread-safe.
   */
  public static final class Tenant {
    final int index;
    final String id;
    final AtomicLong size = new AtomicLong();
    final EvictionQueue queue = new EvictionQueue();
    final ReentrantLock lock = new ReentrantLock();
    volatile int compactAt = MIN_COMPACT;
    volatile long absentSince = -1;

    Tenant(int index, String id) {
      this.index = index;
      this.id = id;
    }

    /** @return the tenant's index in its tree */
    public int index() {
      return index;
    }

    /** @return the worker id */
    public String id() {
      return id;
    }
  }

  /**
   * The index of one candidate list in a tree. Immutable and thread-safe.
   */
  public static final class FleetIndex {
    final List<WorkerView> candidates;
    final Tenant[] tenantOf;
    final int[] candidateOf;
    final int[] absent;

    FleetIndex(List<WorkerView> candidates, Tenant[] tenantOf, int[] candidateOf, int[] absent) {
      this.candidates = candidates;
      this.tenantOf = tenantOf;
      this.candidateOf = candidateOf;
      this.absent = absent;
    }

    /**
     * The tenant of a candidate.
     *
     * @param candidate the candidate's position in the list
     * @return the tenant
     */
    public Tenant tenant(int candidate) {
      return tenantOf[candidate];
    }

    /**
     * The candidate position of a tenant.
     *
     * @param tenantIndex the tenant index
     * @return the position, or -1 when the tenant is not a candidate
     */
    public int candidate(int tenantIndex) {
      return tenantIndex < candidateOf.length ? candidateOf[tenantIndex] : -1;
    }
  }

  /**
   * The holders of a node with their last-touch stamps. Small sets are sorted arrays replaced on
   * every change (copy-on-write); once a node is held by many workers (at least {@value
   * #DENSE_MIN} and a 64th of all the tree's workers), it switches to a dense form indexed by
   * worker, changed in place, so that adding or removing one of thousands of holders costs O(1)
   * instead of a copy. Membership changes happen under the node's monitor; stamps are refreshed
   * without it, and readers never lock. Thread-safe.
   */
  public abstract static class TenantSet {
    static final TenantSet EMPTY = new Sorted(new int[0], new long[0]);

    /** Holders up to which a set stays sorted whatever the tree's size. */
    static final int DENSE_MIN = 64;

    TenantSet() {}

    /** @return the number of holders */
    public abstract int size();

    /**
     * The tenant index of a holder.
     *
     * @param i the holder's position, from 0 to {@code size() - 1}
     * @return the tenant index
     */
    public abstract int tenantAt(int i);

    /**
     * Where a tenant is in the set.
     *
     * @param tenantIndex the tenant index
     * @return a handle for the other methods, or a negative number when the tenant does not hold
     *     the node
     */
    public abstract int find(int tenantIndex);

    /**
     * Whether {@link #tenantAt} lists the holders in increasing tenant order.
     *
     * @return {@code true} for the small, sorted form
     */
    public abstract boolean sorted();

    /** The stamp of the holder at a handle from {@link #find}. */
    abstract long stamp(int handle);

    /**
     * Sets a holder's stamp to a later one without the node's monitor; false when the holder was
     * removed meanwhile (then the caller adds it again under the monitor).
     */
    abstract boolean refresh(int handle, long stamp);

    /** A copy with the same holders and stamps (for a split node). Under the monitor. */
    abstract TenantSet copy();

    /** The set with a tenant added (this set itself when changed in place). Under the monitor. */
    abstract TenantSet with(int tenantIndex, long stamp, int tenantCount);

    /**
     * The set without the holder at a handle, unless it was stamped after {@code stamp}; null in
     * that case. Under the monitor.
     */
    abstract @Nullable TenantSet withoutIfNotNewer(int handle, long stamp);
  }

  /**
   * A single holder, the common case for the nodes of one conversation: one object instead of a
   * set and two arrays, so that trimming a node reads one cache line less or two.
   */
  private static final class Single extends TenantSet {
    private static final VarHandle STAMP;

    static {
      try {
        STAMP = MethodHandles.lookup().findVarHandle(Single.class, "stamp", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final int id;
    @SuppressWarnings("unused") // accessed through STAMP
    private long stamp;

    Single(int id, long stamp) {
      this.id = id;
      this.stamp = stamp;
    }

    @Override
    public int size() {
      return 1;
    }

    @Override
    public int tenantAt(int i) {
      if (i != 0) {
        throw new IndexOutOfBoundsException(i);
      }
      return id;
    }

    @Override
    public boolean sorted() {
      return true;
    }

    @Override
    public int find(int tenantIndex) {
      return tenantIndex == id ? 0 : -1;
    }

    @Override
    long stamp(int handle) {
      return (long) STAMP.getOpaque(this);
    }

    @Override
    boolean refresh(int handle, long stamp) {
      // A removal replaces the whole set, so a write to this one after it is harmless. Only
      // raised: a request that read its stamp earlier must not make the node look older than a
      // later request's deeper node, or evicting the older stamp would strip this node from under
      // that one.
      while (true) {
        long current = (long) STAMP.getVolatile(this);
        if (current >= stamp || STAMP.compareAndSet(this, current, stamp)) {
          return true;
        }
      }
    }

    @Override
    TenantSet copy() {
      return new Single(id, stamp(0));
    }

    @Override
    TenantSet with(int tenantIndex, long newStamp, int tenantCount) {
      long mine = stamp(0);
      return tenantIndex < id
          ? new Sorted(new int[] {tenantIndex, id}, new long[] {newStamp, mine})
          : new Sorted(new int[] {id, tenantIndex}, new long[] {mine, newStamp});
    }

    @Override
    @Nullable TenantSet withoutIfNotNewer(int handle, long notAfter) {
      return stamp(0) > notAfter ? null : EMPTY;
    }
  }

  /** Sorted tenant indexes and their stamps; the index array never changes. */
  private static final class Sorted extends TenantSet {
    final int[] ids;
    final long[] stamps;

    Sorted(int[] ids, long[] stamps) {
      this.ids = ids;
      this.stamps = stamps;
    }

    @Override
    public int size() {
      return ids.length;
    }

    @Override
    public int tenantAt(int i) {
      return ids[i];
    }

    @Override
    public boolean sorted() {
      return true;
    }

    @Override
    public int find(int tenantIndex) {
      int[] a = ids;
      if (a.length <= 8) {
        for (int i = 0; i < a.length; i++) {
          if (a[i] == tenantIndex) {
            return i;
          }
        }
        return -1;
      }
      return Arrays.binarySearch(a, tenantIndex);
    }

    @Override
    long stamp(int i) {
      return (long) STAMPS.getOpaque(stamps, i);
    }

    @Override
    boolean refresh(int i, long stamp) {
      // A removal replaces the whole set, so a write to this one after it is harmless. Only
      // raised, as in Single.
      while (true) {
        long current = (long) STAMPS.getVolatile(stamps, i);
        if (current >= stamp || STAMPS.compareAndSet(stamps, i, current, stamp)) {
          return true;
        }
      }
    }

    @Override
    TenantSet copy() {
      long[] s = new long[stamps.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = stamp(i);
      }
      return new Sorted(ids, s);
    }

    @Override
    TenantSet with(int tenantIndex, long stamp, int tenantCount) {
      int n = ids.length;
      if (n + 1 >= DENSE_MIN && n + 1 >= tenantCount / 64) {
        Dense dense = new Dense(Math.max(tenantCount, tenantIndex + 1), n + 1);
        for (int j = 0; j < n; j++) {
          dense.add(ids[j], stamp(j));
        }
        dense.add(tenantIndex, stamp);
        return dense;
      }
      if (n == 0) {
        return new Single(tenantIndex, stamp);
      }
      int at = -(Arrays.binarySearch(ids, tenantIndex) + 1);
      int[] i2 = new int[n + 1];
      long[] s2 = new long[n + 1];
      System.arraycopy(ids, 0, i2, 0, at);
      System.arraycopy(ids, at, i2, at + 1, n - at);
      for (int j = 0; j < n; j++) {
        s2[j < at ? j : j + 1] = stamp(j);
      }
      i2[at] = tenantIndex;
      s2[at] = stamp;
      return new Sorted(i2, s2);
    }

    @Override
    @Nullable TenantSet withoutIfNotNewer(int position, long stamp) {
      if (stamp(position) > stamp) {
        return null;
      }
      int n = ids.length;
      if (n == 1) {
        return EMPTY;
      }
      if (n == 2) {
        int other = 1 - position;
        return new Single(ids[other], stamp(other));
      }
      int[] i2 = new int[n - 1];
      long[] s2 = new long[n - 1];
      for (int j = 0, k = 0; j < n; j++) {
        if (j != position) {
          i2[k] = ids[j];
          s2[k] = stamp(j);
          k++;
        }
      }
      return new Sorted(i2, s2);
    }
  }

  /**
   * Stamps indexed by tenant (0: not a holder) plus a compact list of the holders for iteration;
   * the handle of a holder is its tenant index. Stamps change by compare-and-set, so a refresh
   * racing with a removal cannot bring a removed holder back.
   */
  private static final class Dense extends TenantSet {
    volatile long[] stamps;
    volatile int[] members;
    volatile int[] slots;
    volatile int count;

    Dense(int capacity, int expectedHolders) {
      this.stamps = new long[capacity];
      this.slots = new int[capacity];
      this.members = new int[Math.max(expectedHolders, 16)];
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public int tenantAt(int i) {
      return members[i];
    }

    @Override
    public boolean sorted() {
      return false;
    }

    @Override
    public int find(int tenantIndex) {
      long[] s = stamps;
      return tenantIndex < s.length && (long) STAMPS.getOpaque(s, tenantIndex) != 0
          ? tenantIndex
          : -1;
    }

    @Override
    long stamp(int tenantIndex) {
      long[] s = stamps;
      return tenantIndex < s.length ? (long) STAMPS.getOpaque(s, tenantIndex) : 0;
    }

    @Override
    boolean refresh(int tenantIndex, long stamp) {
      long[] s = stamps;
      if (tenantIndex >= s.length) {
        return false;
      }
      while (true) {
        long current = (long) STAMPS.getVolatile(s, tenantIndex);
        if (current == 0) {
          return false;
        }
        if (current >= stamp || STAMPS.compareAndSet(s, tenantIndex, current, stamp)) {
          return s == stamps;
        }
      }
    }

    /** Adds a tenant that is not a holder. Under the monitor. */
    void add(int tenantIndex, long stamp) {
      long[] s = stamps;
      if (tenantIndex >= s.length) {
        int capacity = Math.max(tenantIndex + 1, s.length * 2);
        long[] grown = new long[capacity];
        for (int i = 0; i < s.length; i++) {
          grown[i] = (long) STAMPS.getVolatile(s, i);
        }
        slots = Arrays.copyOf(slots, capacity);
        stamps = grown;
        s = grown;
      }
      int n = count;
      int[] m = members;
      if (n == m.length) {
        m = Arrays.copyOf(m, n * 2);
        members = m;
      }
      m[n] = tenantIndex;
      slots[tenantIndex] = n;
      STAMPS.setVolatile(s, tenantIndex, stamp);
      count = n + 1;
    }

    @Override
    TenantSet copy() {
      Dense d = new Dense(stamps.length, count);
      int n = count;
      int[] m = members;
      for (int i = 0; i < n; i++) {
        long stamp = stamp(m[i]);
        if (stamp != 0) {
          d.add(m[i], stamp);
        }
      }
      return d;
    }

    @Override
    TenantSet with(int tenantIndex, long stamp, int tenantCount) {
      add(tenantIndex, stamp);
      return this;
    }

    @Override
    @Nullable TenantSet withoutIfNotNewer(int tenantIndex, long stamp) {
      long[] s = stamps;
      while (true) {
        long current = (long) STAMPS.getVolatile(s, tenantIndex);
        if (current > stamp) {
          return null;
        }
        if (STAMPS.compareAndSet(s, tenantIndex, current, 0L)) {
          break;
        }
      }
      int n = count - 1;
      int[] m = members;
      int at = slots[tenantIndex];
      int last = m[n];
      m[at] = last;
      slots[last] = at;
      count = n;
      return n == 0 ? EMPTY : this;
    }
  }

  /**
   * An edge label: a run of key elements and the key position it starts at. Token trees hold
   * {@code int} elements, text trees {@code char} elements (half the memory, and compared against
   * the prompt's characters without widening them). Immutable.
   */
  abstract static class Label {
    static final Label ROOT = new IntLabel(new int[0], 0);

    final int length;
    final int depth;

    Label(int length, int depth) {
      this.length = length;
      this.depth = depth;
    }

    /** The element at a position of the label. */
    abstract int at(int index);

    /**
     * Whether a label of {@code [from, to)} may refer to its prompt instead of copying it: when it
     * covers at least half of the prompt, so that a tree holds at most twice its labels' worth of
     * prompt elements.
     */
    static boolean refersToPrompt(int from, int to, int promptLength) {
      return 2L * (to - from) >= promptLength;
    }

    /** A new label of the elements {@code [from, to)}, starting at key position depth + from. */
    abstract Label slice(int from, int to);
  }

  /** A label of token ids. */
  static final class IntLabel extends Label {
    final int[] elements;

    IntLabel(int[] elements, int depth) {
      super(elements.length, depth);
      this.elements = elements;
    }

    @Override
    int at(int index) {
      return elements[index];
    }

    @Override
    Label slice(int from, int to) {
      return new IntLabel(Arrays.copyOfRange(elements, from, to), depth + from);
    }
  }

  /**
   * A label that reads its token ids from a request's prompt instead of a copy of them: inserting
   * a new conversation's 3,000-token tail then writes no 12 KB array (which, in memory no thread
   * touched recently, costs more than the rest of the selection). Prompts are immutable, so
   * sharing them is safe. Only a label that covers at least half of its prompt refers to it
   * (see {@link #of}), so a tree holds at most twice its elements' worth of token ids.
   */
  static final class PromptLabel extends Label {
    final TokenIds prompt;
    final int from;

    private PromptLabel(TokenIds prompt, int from, int length, int depth) {
      super(length, depth);
      this.prompt = prompt;
      this.from = from;
    }

    /**
     * A label of the ids {@code [from, to)} of a prompt: referring to the prompt when the range
     * covers at least half of it, else a copy.
     */
    static Label of(TokenIds prompt, int from, int to, int depth) {
      Label shared = shared(prompt, from, to, depth);
      return shared != null ? shared : new IntLabel(prompt.toArray(from, to), depth);
    }

    /** A label of the ids {@code [from, to)} referring to the prompt, or null if it would copy. */
    static @Nullable Label shared(TokenIds prompt, int from, int to, int depth) {
      return refersToPrompt(from, to, prompt.size())
          ? new PromptLabel(prompt, from, to - from, depth)
          : null;
    }

    @Override
    int at(int index) {
      return prompt.get(from + index);
    }

    @Override
    Label slice(int start, int end) {
      return of(prompt, from + start, from + end, depth + start);
    }
  }

  /**
   * A label that reads its characters from a request's prompt text instead of a copy of them, as
   * {@link PromptLabel} does for token ids: a new conversation's tail costs no copy (a 12,000-char
   * tail was a 24 KB array to allocate, clear and fill), and a Latin-1 prompt keeps one byte per
   * character where a copy took two. Strings are immutable, so sharing them is safe. Only a label
   * that covers at least half of its prompt refers to it (see {@link #of}).
   */
  static final class TextLabel extends Label {
    final String prompt;
    final int from;

    private TextLabel(String prompt, int from, int length, int depth) {
      super(length, depth);
      this.prompt = prompt;
      this.from = from;
    }

    /**
     * A label of the characters {@code [from, to)} of a prompt: referring to the prompt when the
     * range covers at least half of it, else a copy.
     */
    static Label of(String prompt, int from, int to, int depth) {
      Label shared = shared(prompt, from, to, depth);
      if (shared != null) {
        return shared;
      }
      char[] copy = new char[to - from];
      prompt.getChars(from, to, copy, 0);
      return new CharLabel(copy, depth);
    }

    /** A label of {@code [from, to)} referring to the prompt, or null if it would copy. */
    static @Nullable Label shared(String prompt, int from, int to, int depth) {
      return refersToPrompt(from, to, prompt.length())
          ? new TextLabel(prompt, from, to - from, depth)
          : null;
    }

    @Override
    int at(int index) {
      return prompt.charAt(from + index);
    }

    @Override
    Label slice(int start, int end) {
      return of(prompt, from + start, from + end, depth + start);
    }
  }

  /** A label of characters copied out of a prompt. */
  static final class CharLabel extends Label {
    final char[] elements;

    CharLabel(char[] elements, int depth) {
      super(elements.length, depth);
      this.elements = elements;
    }

    @Override
    int at(int index) {
      return elements[index];
    }

    @Override
    Label slice(int from, int to) {
      return new CharLabel(Arrays.copyOfRange(elements, from, to), depth + from);
    }
  }

  /** A tree node. Fields change under the node's monitor and are read without it. */
  static final class Node {
    volatile @Nullable Node parent;
    volatile Label label;
    volatile Children children = Children.EMPTY;
    volatile TenantSet tenants = TenantSet.EMPTY;
    volatile boolean dead;

    /**
     * The label's length, kept beside it so that trimming, which reads nodes no request touched
     * for long (not in the CPU caches), need not load the label as well. Changed and read under
     * the node's monitor.
     */
    int length;

    Node(@Nullable Node parent, Label label) {
      this.parent = parent;
      this.label = label;
      this.length = label.length;
    }
  }

  /** A node's children, sorted by first element; replaced on change. Immutable. */
  static final class Children {
    static final Children EMPTY = new Children(new int[0], new Node[0]);

    final int[] firsts;
    final Node[] nodes;

    Children(int[] firsts, Node[] nodes) {
      this.firsts = firsts;
      this.nodes = nodes;
    }

    int size() {
      return firsts.length;
    }

    @Nullable Node get(int first) {
      int[] f = firsts;
      if (f.length <= 8) {
        for (int i = 0; i < f.length; i++) {
          if (f[i] == first) {
            return nodes[i];
          }
        }
        return null;
      }
      int i = Arrays.binarySearch(f, first);
      return i >= 0 ? nodes[i] : null;
    }

    Children with(int first, Node node) {
      int at = -(Arrays.binarySearch(firsts, first) + 1);
      int n = firsts.length;
      int[] f2 = new int[n + 1];
      Node[] n2 = new Node[n + 1];
      System.arraycopy(firsts, 0, f2, 0, at);
      System.arraycopy(firsts, at, f2, at + 1, n - at);
      System.arraycopy(nodes, 0, n2, 0, at);
      System.arraycopy(nodes, at, n2, at + 1, n - at);
      f2[at] = first;
      n2[at] = node;
      return new Children(f2, n2);
    }

    Children replace(Node old, Node replacement) {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] == old) {
          Node[] n2 = nodes.clone();
          n2[i] = replacement;
          return new Children(firsts, n2);
        }
      }
      return this;
    }

    Children without(Node node) {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] == node) {
          int n = nodes.length;
          if (n == 1) {
            return EMPTY;
          }
          int[] f2 = new int[n - 1];
          Node[] n2 = new Node[n - 1];
          System.arraycopy(firsts, 0, f2, 0, i);
          System.arraycopy(firsts, i + 1, f2, i, n - i - 1);
          System.arraycopy(nodes, 0, n2, 0, i);
          System.arraycopy(nodes, i + 1, n2, i, n - i - 1);
          return new Children(f2, n2);
        }
      }
      return this;
    }
  }
}
