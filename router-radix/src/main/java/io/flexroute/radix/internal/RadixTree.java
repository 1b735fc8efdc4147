package io.flexroute.radix.internal;

import io.flexroute.radix.CacheStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A radix tree over text whose edges carry the exact tokens of their text, guarded by a {@link
 * ReentrantReadWriteLock}.
 *
 * <p>Thread-safe. Lookups and statistics take the read lock and run concurrently; inserts, GC,
 * eviction and {@link #clear()} take the write lock and run alone. A payload array (ids, logprobs,
 * mask) is never written after a node holds it: splits and slices copy into new arrays. Lookups
 * therefore capture references to the payload arrays of the matched path while holding the read
 * lock, and read them after releasing it: no writer can change what a lookup returns, and GC or
 * eviction only drop the tree's references. The only writes made under the read lock are access
 * times (a volatile field per node) and hit counters ({@link LongAdder}).
 *
 * <p>Inputs are assumed validated by the caller (the public facade): text and tokens non-empty,
 * arrays of equal length, token ends non-decreasing and ending at the text length, version at least
 * -1.
 */
public final class RadixTree {

  /** Text buffers up to this many chars are kept per thread between lookups. */
  private static final int MAX_RETAINED_CHARS = 1 << 16;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final Comparator<Node> LEAST_RECENTLY_USED =
      Comparator.comparingLong(n -> n.lastAccess);

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Node root = Node.root();
  private final long maxTokens;
  private final long evictionTarget;
  private final int keepVersions;
  private final LongSupplier ticker;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder matchedTokens = new LongAdder();

  // Guarded by the write lock; read under the read lock.
  private long cachedTokens;
  private long nodeCount;
  private long estimatedBytes;
  private long evictedTokens;
  private long gcRemovedTokens;
  private int newestVersion = -1;
  private char[] insertBuffer = new char[1024];

  /**
   * Creates an empty tree.
   *
   * @param maxTokens the token budget
   * @param lowWatermark fraction of the budget that an automatic eviction pass frees down to
   * @param keepVersions how many weight versions below the current one GC keeps
   * @param ticker the clock for access times
   */
  public RadixTree(long maxTokens, double lowWatermark, int keepVersions, LongSupplier ticker) {
    this.maxTokens = maxTokens;
    this.evictionTarget = (long) Math.floor(maxTokens * lowWatermark);
    this.keepVersions = keepVersions;
    this.ticker = ticker;
    this.estimatedBytes = root.estimatedBytes();
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup

  /**
   * Finds the longest cached prefix of {@code text} that ends on a token boundary, captures its
   * payload arrays and refreshes the access time of every node on its path. Empty text returns an
   * empty result and counts neither a hit nor a miss.
   */
  public MatchData lookup(String text) {
    // The clock first: reading it waits for earlier loads, so it goes before the query's misses.
    long now = ticker.getAsLong();
    int len = text.length();
    if (len == 0) {
      return MatchData.empty();
    }
    Scratch s = SCRATCH.get();
    char[] q = s.buffer(len);
    text.getChars(0, len, q, 0);
    MatchData result;
    lock.readLock().lock();
    try {
      s.bestNode = root;
      s.bestTokens = 0;
      s.bestChars = 0;
      search(root, 0, q, len, s);
      Node best = s.bestNode;
      result =
          best == null || s.bestChars == 0
              ? MatchData.empty()
              : capture(best, s.bestTokens, s.bestChars, now);
    } finally {
      lock.readLock().unlock();
      s.bestNode = null;
    }
    if (result.tokenCount() > 0) {
      hits.increment();
      matchedTokens.add(result.tokenCount());
    } else {
      misses.increment();
    }
    return result;
  }

  /**
   * Depth-first search for the longest match below {@code start}, which is matched up to {@code
   * startPos}. Walks iteratively while each level has one candidate child and recurses only where
   * several siblings share a first char (different tokenisations of the same text).
   */
  private static void search(Node start, int startPos, char[] q, int len, Scratch s) {
    Node node = start;
    int pos = startPos;
    while (pos < len) {
      Node sole = node.soleChild;
      if (sole != null) {
        char[] key = sole.key;
        if (key[0] != q[pos]) {
          break;
        }
        int m = matchText(key, q, pos, len);
        if (m == key.length) {
          node = sole;
          pos += m;
          continue;
        }
        if (!offerPartial(sole, m, pos, s)) {
          s.offer(node, -1, pos);
        }
        return;
      }
      int i = node.firstChild(q[pos]);
      if (i < 0) {
        break;
      }
      int end = node.runEnd(i);
      Node[] kids = node.children;
      if (end - i == 1) {
        Node child = kids[i];
        int m = matchText(child.key, q, pos, len);
        if (m == child.key.length) {
          node = child;
          pos += m;
          continue;
        }
        if (!offerPartial(child, m, pos, s)) {
          s.offer(node, -1, pos);
        }
        return;
      }
      s.offer(node, -1, pos);
      for (int k = i; k < end; k++) {
        Node child = kids[k];
        int m = matchText(child.key, q, pos, len);
        if (m == child.key.length) {
          search(child, pos + m, q, len, s);
        } else {
          offerPartial(child, m, pos, s);
        }
      }
      return;
    }
    s.offer(node, -1, pos);
  }

  /** Offers the part of {@code child} up to its last token boundary at or before {@code m}. */
  private static boolean offerPartial(Node child, int m, int pos, Scratch s) {
    byte[] lens = child.lens;
    if (lens == null) {
      return false;
    }
    int end = 0;
    int tokens = 0;
    int bestChars = 0;
    int bestTokens = 0;
    int p = 0;
    while (p < lens.length) {
      end += VarInts.valueAt(lens, p);
      p = VarInts.next(lens, p);
      if (end > m) {
        break;
      }
      tokens++;
      bestChars = end;
      bestTokens = tokens;
    }
    if (bestChars == 0) {
      return false;
    }
    s.offer(child, bestTokens, pos + bestChars);
    return true;
  }

  private static int matchText(char[] key, char[] q, int pos, int len) {
    int n = Math.min(key.length, len - pos);
    int mm = Arrays.mismatch(key, 0, n, q, pos, pos + n);
    return mm < 0 ? n : mm;
  }

  /**
   * Captures the payload arrays of the path ending at {@code best} (its first {@code bestTokens}
   * tokens, all of them when negative) and refreshes the access time of every node on it. Payload
   * arrays are never written after a node holds them, so the references stay valid after the lock
   * is released.
   */
  private MatchData capture(Node best, int bestTokens, int matchedChars, long now) {
    int pathLen = 0;
    for (Node n = best; n != root && n != null; n = n.parent) {
      pathLen++;
    }
    Object[] arrays = new Object[3 * pathLen];
    int[] meta = new int[2 * pathLen];
    int tokensInBest = bestTokens < 0 ? best.ids.length : bestTokens;
    int total = 0;
    int s = pathLen - 1;
    for (Node n = best; n != root && n != null; n = n.parent, s--) {
      int k = n == best ? tokensInBest : n.ids.length;
      arrays[3 * s] = n.ids;
      arrays[3 * s + 1] = n.logprobs;
      arrays[3 * s + 2] = n.mask;
      meta[2 * s] = k;
      meta[2 * s + 1] = n.weightVersion;
      total += k;
      n.touch(now);
    }
    int end = 0;
    for (int i = 0; i < pathLen; i++) {
      end += meta[2 * i];
      meta[2 * i] = end;
    }
    return new MatchData(matchedChars, total, arrays, meta);
  }

  // ---------------------------------------------------------------------------------------------
  // Insert

  /**
   * Inserts a text and its tokens, sharing every cached stretch it agrees with and splitting nodes
   * at token boundaries where it diverges; then runs GC and eviction if the budget is reached.
   *
   * @param text non-empty text
   * @param ids non-empty token ids
   * @param logprobs one per token, or {@code null} for 0.0
   * @param mask packed loss mask, or {@code null} for all 0
   * @param ends exclusive UTF-16 end offset of every token in {@code text}, or {@code null} when
   *     unknown
   * @param version weight version, or -1
   * @return the number of tokens newly cached (0 when the text was already cached)
   */
  public int insert(
      String text,
      int[] ids,
      float @Nullable [] logprobs,
      long @Nullable [] mask,
      int @Nullable [] ends,
      int version) {
    return insert(text, ids, logprobs, mask, ends, version, 0);
  }

  /**
   * Inserts as {@link #insert(String, int[], float[], long[], int[], int)} does, but only if the
   * entry's first {@code requiredTokens} tokens are cached (same text and ids), checked under the
   * same write lock as the insert.
   *
   * @param requiredTokens how many leading tokens must be cached; 0 for none
   * @return the number of tokens newly cached, or -1 when the required prefix is not cached and
   *     nothing was inserted
   */
  public int insert(
      String text,
      int[] ids,
      float @Nullable [] logprobs,
      long @Nullable [] mask,
      int @Nullable [] ends,
      int version,
      int requiredTokens) {
    long now = ticker.getAsLong();
    lock.writeLock().lock();
    try {
      if (requiredTokens > 0 && cachedPrefixTokens(text, ids, ends) < requiredTokens) {
        return -1;
      }
      int added = insertLocked(text, ids, logprobs, mask, ends, version, now);
      if (version > newestVersion) {
        newestVersion = version;
      }
      if (added > 0 && cachedTokens >= maxTokens) {
        if (newestVersion >= 0) {
          gcRemovedTokens += gcLocked(newestVersion);
        }
        if (cachedTokens > maxTokens) {
          evictedTokens += evictLocked(evictionTarget);
        }
      }
      return added;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * How many leading tokens of an entry the tree holds (same text and ids), walking as an insert
   * would without changing anything. Under the write lock (it uses the insert buffer).
   */
  private int cachedPrefixTokens(String text, int[] ids, int @Nullable [] ends) {
    int len = text.length();
    char[] tc = textBuffer(text);
    Node node = root;
    int p = 0;
    int t = 0;
    while (p < len) {
      long r = bestChild(node, tc, p, len, ids, t, ends);
      Node child = matchedChild;
      if (child == null) {
        break;
      }
      int chars = (int) (r >>> 32);
      int tokens = (int) r;
      p += chars;
      t += tokens;
      if (chars < child.key.length || tokens < child.ids.length) {
        break;
      }
      node = child;
    }
    return t;
  }

  /** The insert buffer, holding {@code text}. */
  private char[] textBuffer(String text) {
    int len = text.length();
    if (insertBuffer.length < len) {
      insertBuffer = new char[Math.max(len, insertBuffer.length * 2)];
    }
    text.getChars(0, len, insertBuffer, 0);
    return insertBuffer;
  }

  // The child bestChild chose, or null; a field because the choice returns two counts as well.
  // Written and read only under the write lock.
  private @Nullable Node matchedChild;

  /**
   * The child of {@code node} that agrees with the most of the insert at text offset {@code p} and
   * token index {@code t} (left in {@link #matchedChild}, null when none), and how much of it, as
   * {@code chars << 32 | tokens}.
   */
  private long bestChild(
      Node node, char[] tc, int p, int len, int[] ids, int t, int @Nullable [] ends) {
    Node bestChild = null;
    long best = 0;
    Node sole = node.soleChild;
    if (sole != null) {
      if (sole.key[0] == tc[p]) {
        long r = matchInsert(sole, tc, p, len, ids, t, ends);
        if ((int) (r >>> 32) > 0) {
          bestChild = sole;
          best = r;
        }
      }
    } else {
      int i = node.firstChild(tc[p]);
      if (i >= 0) {
        int end = node.runEnd(i);
        for (int k = i; k < end; k++) {
          Node child = node.children[k];
          long r = matchInsert(child, tc, p, len, ids, t, ends);
          if ((int) (r >>> 32) > (int) (best >>> 32)) {
            bestChild = child;
            best = r;
          }
        }
      }
    }
    matchedChild = bestChild;
    return best;
  }

  private int insertLocked(
      String text,
      int[] ids,
      float @Nullable [] logprobs,
      long @Nullable [] mask,
      int @Nullable [] ends,
      int version,
      long now) {
    int len = text.length();
    char[] tc = textBuffer(text);
    int total = ids.length;
    Node node = root;
    int p = 0;
    int t = 0;
    while (p < len) {
      long r = bestChild(node, tc, p, len, ids, t, ends);
      Node bestChild = matchedChild;
      if (bestChild == null) {
        break;
      }
      int bestChars = (int) (r >>> 32);
      int bestTokens = (int) r;
      Node next;
      if (bestChars == bestChild.key.length && bestTokens == bestChild.ids.length) {
        if (bestChild.lens == null && ends != null) {
          learnBoundaries(bestChild, ends, t, p);
        }
        next = bestChild;
      } else {
        next = split(bestChild, bestChars, bestTokens, ends, t, p);
      }
      if (version > next.traverseVersion) {
        next.traverseVersion = version;
      }
      next.touch(now);
      node = next;
      p += bestChars;
      t += bestTokens;
    }
    if (p >= len || t >= total) {
      return 0;
    }
    Node leaf =
        new Node(
            Arrays.copyOfRange(tc, p, len),
            Arrays.copyOfRange(ids, t, total),
            logprobs == null ? new float[total - t] : Arrays.copyOfRange(logprobs, t, total),
            Bits.slice(mask, t, total),
            ends == null ? null : VarInts.encodeLengths(ends, t, total, p),
            version,
            version,
            now);
    estimatedBytes -= node.estimatedBytes();
    node.addChild(leaf);
    estimatedBytes += node.estimatedBytes() + leaf.estimatedBytes();
    cachedTokens += total - t;
    nodeCount++;
    return total - t;
  }

  /**
   * How much of {@code child} the insert at text offset {@code p} and token index {@code t} agrees
   * with, as {@code chars << 32 | tokens}, ending on a token boundary; 0 when nothing.
   *
   * <p>A stretch agrees when its text and token ids are equal. Token boundaries come from the node
   * where it knows them, otherwise from the insert; with neither, only the whole node can agree. A
   * split point must end a token group on every side that knows its boundaries (tokens of zero
   * text length stay with the token before them).
   */
  private static long matchInsert(
      Node child, char[] tc, int p, int len, int[] ids, int t, int @Nullable [] ends) {
    char[] key = child.key;
    int keyLen = key.length;
    int[] cids = child.ids;
    int n = cids.length;
    int total = ids.length;
    int m = matchText(key, tc, p, len);
    if (m == keyLen && t + n <= total && Arrays.equals(cids, 0, n, ids, t, t + n)) {
      int endAbs = p + keyLen;
      boolean aligned =
          ends != null
              ? ends[t + n - 1] == endAbs && (t + n == total || ends[t + n] > endAbs)
              : (endAbs == len) == (t + n == total);
      if (aligned) {
        return ((long) keyLen << 32) | n;
      }
    }
    byte[] lens = child.lens;
    if (lens == null && ends == null) {
      return 0;
    }
    int bestChars = 0;
    int bestTokens = 0;
    int cachedEnd = 0;
    int lp = 0;
    for (int i = 0; i < n && t + i < total; i++) {
      if (cids[i] != ids[t + i]) {
        break;
      }
      int e;
      boolean cachedGroupEnd;
      if (lens != null) {
        cachedEnd += VarInts.valueAt(lens, lp);
        lp = VarInts.next(lens, lp);
        e = cachedEnd;
        if (ends != null && ends[t + i] - p != e) {
          break;
        }
        cachedGroupEnd = i == n - 1 || lens[lp] != 0;
      } else {
        e = ends[t + i] - p;
        cachedGroupEnd = e < keyLen || i == n - 1;
      }
      if (e > m) {
        break;
      }
      boolean insertGroupEnd = ends == null || t + i + 1 == total || ends[t + i + 1] != ends[t + i];
      if (!cachedGroupEnd || !insertGroupEnd || e == 0) {
        continue;
      }
      if (e < keyLen && i + 1 == n) {
        // Every cached token matched but text remains in the node: inconsistent, do not split.
        continue;
      }
      if (ends == null && (p + e == len) != (t + i + 1 == total)) {
        continue;
      }
      bestChars = e;
      bestTokens = i + 1;
    }
    return ((long) bestChars << 32) | bestTokens;
  }

  /** Records boundaries for an opaque node from an insert that agrees with all of it. */
  private void learnBoundaries(Node node, int[] ends, int t, int p) {
    estimatedBytes -= node.estimatedBytes();
    node.lens = VarInts.encodeLengths(ends, t, t + node.ids.length, p);
    estimatedBytes += node.estimatedBytes();
  }

  /**
   * Splits {@code child} after {@code tokens} tokens ({@code chars} chars) and returns the new upper
   * node, which takes the child's place; the child keeps the rest and becomes its only child.
   */
  private Node split(Node child, int chars, int tokens, int @Nullable [] ends, int t, int p) {
    Node parent = child.parent;
    if (parent == null) {
      throw new IllegalStateException("cannot split a detached node");
    }
    estimatedBytes -= child.estimatedBytes();
    byte[] upperLens;
    byte[] lowerLens;
    if (child.lens != null) {
      int off = VarInts.offsetOf(child.lens, tokens);
      upperLens = Arrays.copyOfRange(child.lens, 0, off);
      lowerLens = Arrays.copyOfRange(child.lens, off, child.lens.length);
    } else {
      upperLens = ends == null ? null : VarInts.encodeLengths(ends, t, t + tokens, p);
      lowerLens = null;
    }
    int n = child.ids.length;
    Node upper =
        new Node(
            Arrays.copyOfRange(child.key, 0, chars),
            Arrays.copyOfRange(child.ids, 0, tokens),
            Arrays.copyOfRange(child.logprobs, 0, tokens),
            Bits.slice(child.mask, 0, tokens),
            upperLens,
            child.weightVersion,
            child.traverseVersion,
            child.lastAccess);
    parent.replaceChild(child, upper);
    child.key = Arrays.copyOfRange(child.key, chars, child.key.length);
    child.ids = Arrays.copyOfRange(child.ids, tokens, n);
    child.logprobs = Arrays.copyOfRange(child.logprobs, tokens, n);
    child.mask = Bits.slice(child.mask, tokens, n);
    child.lens = lowerLens;
    upper.setChildren(new char[] {child.key[0]}, new Node[] {child});
    child.parent = upper;
    nodeCount++;
    estimatedBytes += child.estimatedBytes() + upper.estimatedBytes();
    return upper;
  }

  // ---------------------------------------------------------------------------------------------
  // GC and eviction

  /**
   * Removes every node whose traverse version is below {@code current - keepVersions}, with its
   * subtree. Nodes no versioned insert walked through are kept.
   *
   * @return the number of tokens removed
   */
  public long gcByWeightVersion(int current) {
    lock.writeLock().lock();
    try {
      if (current > newestVersion) {
        newestVersion = current;
      }
      long removed = gcLocked(current);
      gcRemovedTokens += removed;
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private long gcLocked(int current) {
    long threshold = (long) current - keepVersions;
    long before = cachedTokens;
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      Node[] kids = node.children;
      int stale = 0;
      for (Node k : kids) {
        if (isStale(k, threshold)) {
          stale++;
        }
      }
      if (stale > 0) {
        estimatedBytes -= node.estimatedBytes();
        char[] keptChars = new char[kids.length - stale];
        Node[] kept = new Node[kids.length - stale];
        int j = 0;
        for (int i = 0; i < kids.length; i++) {
          Node k = kids[i];
          if (isStale(k, threshold)) {
            detachSubtree(k);
          } else {
            keptChars[j] = node.childChars[i];
            kept[j++] = k;
          }
        }
        node.setChildren(
            kept.length == 0 ? Node.NO_CHARS : keptChars, kept.length == 0 ? Node.NO_NODES : kept);
        estimatedBytes += node.estimatedBytes();
      }
      for (Node k : node.children) {
        stack.push(k);
      }
    }
    return before - cachedTokens;
  }

  private static boolean isStale(Node n, long threshold) {
    return n.traverseVersion >= 0 && n.traverseVersion < threshold;
  }

  private void detachSubtree(Node top) {
    top.parent = null;
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(top);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      cachedTokens -= n.ids.length;
      nodeCount--;
      estimatedBytes -= n.estimatedBytes();
      for (Node k : n.children) {
        stack.push(k);
      }
    }
  }

  /**
   * Evicts least-recently-used leaves (a parent becomes a candidate once its last child is gone)
   * until at most {@code target} tokens remain.
   *
   * @return the number of tokens removed
   */
  public long evictTo(long target) {
    lock.writeLock().lock();
    try {
      long removed = evictLocked(target);
      evictedTokens += removed;
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private long evictLocked(long target) {
    if (cachedTokens <= target) {
      return 0;
    }
    long before = cachedTokens;
    PriorityQueue<Node> queue = new PriorityQueue<>(LEAST_RECENTLY_USED);
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (n.children.length == 0) {
        if (n != root) {
          queue.add(n);
        }
      } else {
        for (Node k : n.children) {
          stack.push(k);
        }
      }
    }
    while (cachedTokens > target && !queue.isEmpty()) {
      Node leaf = queue.poll();
      Node parent = leaf.parent;
      if (parent == null) {
        continue;
      }
      estimatedBytes -= parent.estimatedBytes() + leaf.estimatedBytes();
      parent.removeChild(leaf);
      estimatedBytes += parent.estimatedBytes();
      leaf.parent = null;
      cachedTokens -= leaf.ids.length;
      nodeCount--;
      if (parent != root && parent.children.length == 0) {
        queue.add(parent);
      }
    }
    return before - cachedTokens;
  }

  /** Removes every node and resets the counters and the newest version seen. */
  public void clear() {
    lock.writeLock().lock();
    try {
      root.setChildren(Node.NO_CHARS, Node.NO_NODES);
      cachedTokens = 0;
      nodeCount = 0;
      estimatedBytes = root.estimatedBytes();
      evictedTokens = 0;
      gcRemovedTokens = 0;
      newestVersion = -1;
      hits.reset();
      misses.reset();
      matchedTokens.reset();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Statistics and checks

  /** A consistent snapshot of the counters. */
  public CacheStats stats() {
    lock.readLock().lock();
    try {
      return new CacheStats(
          hits.sum(),
          misses.sum(),
          matchedTokens.sum(),
          cachedTokens,
          nodeCount,
          estimatedBytes,
          evictedTokens,
          gcRemovedTokens);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Walks the whole tree and checks its structural invariants and its accounting: the cached token
   * count, node count and byte estimate equal the sums over the nodes, and a parent's traverse
   * version is never below a child's.
   *
   * @throws IllegalStateException naming the first violated invariant
   */
  public void verifyInvariants() {
    lock.readLock().lock();
    try {
      long tokens = 0;
      long nodes = 0;
      long bytes = root.estimatedBytes();
      List<String> errors = new ArrayList<>();
      ArrayDeque<Node> stack = new ArrayDeque<>();
      for (Node k : root.children) {
        stack.push(k);
      }
      checkChildren(root, errors);
      while (!stack.isEmpty() && errors.isEmpty()) {
        Node n = stack.pop();
        tokens += n.ids.length;
        nodes++;
        bytes += n.estimatedBytes();
        checkNode(n, errors);
        checkChildren(n, errors);
        for (Node k : n.children) {
          stack.push(k);
        }
      }
      if (errors.isEmpty() && tokens != cachedTokens) {
        errors.add("cached tokens " + cachedTokens + " but nodes hold " + tokens);
      }
      if (errors.isEmpty() && nodes != nodeCount) {
        errors.add("node count " + nodeCount + " but found " + nodes);
      }
      if (errors.isEmpty() && bytes != estimatedBytes) {
        errors.add("estimated bytes " + estimatedBytes + " but nodes add up to " + bytes);
      }
      if (!errors.isEmpty()) {
        throw new IllegalStateException(errors.get(0));
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  private static void checkNode(Node n, List<String> errors) {
    if (n.key.length == 0) {
      errors.add("node with empty key");
    } else if (n.ids.length == 0) {
      errors.add("node without tokens");
    } else if (n.logprobs.length != n.ids.length) {
      errors.add("logprobs and ids differ in length");
    } else if (n.mask != null && n.mask.length != Bits.words(n.ids.length)) {
      errors.add("mask has the wrong number of words");
    } else if (n.lens != null) {
      int sum = 0;
      int p = 0;
      while (p < n.lens.length) {
        sum += VarInts.valueAt(n.lens, p);
        p = VarInts.next(n.lens, p);
      }
      if (VarInts.count(n.lens) != n.ids.length || sum != n.key.length) {
        errors.add("token lengths do not cover the key");
      }
    }
  }

  private static void checkChildren(Node n, List<String> errors) {
    if (n.childChars.length != n.children.length) {
      errors.add("child arrays differ in length");
      return;
    }
    if (n.soleChild != (n.children.length == 1 ? n.children[0] : null)) {
      errors.add("sole child out of step with the children");
      return;
    }
    for (int i = 0; i < n.children.length; i++) {
      Node k = n.children[i];
      if (k.parent != n) {
        errors.add("child with a wrong parent pointer");
      } else if (k.key.length == 0 || k.key[0] != n.childChars[i]) {
        errors.add("child char does not match the child's key");
      } else if (i > 0 && n.childChars[i - 1] > n.childChars[i]) {
        errors.add("children not sorted");
      } else if (n.parent != null && k.traverseVersion > n.traverseVersion) {
        errors.add("child traverse version above its parent's");
      }
    }
  }

  /** Per-thread lookup state: the query text and the best match found so far. */
  private static final class Scratch {
    private char[] buffer = new char[1024];
    @Nullable Node bestNode;
    int bestTokens;
    int bestChars;

    char[] buffer(int len) {
      if (buffer.length >= len) {
        return buffer;
      }
      if (len > MAX_RETAINED_CHARS) {
        return new char[len];
      }
      buffer = new char[Math.max(len, Math.min(MAX_RETAINED_CHARS, buffer.length * 2))];
      return buffer;
    }

    /** Keeps the candidate if it matches strictly more text; ties keep the earlier one. */
    void offer(Node node, int tokens, int chars) {
      if (chars > bestChars) {
        bestNode = node;
        bestTokens = tokens;
        bestChars = chars;
      }
    }
  }
}
