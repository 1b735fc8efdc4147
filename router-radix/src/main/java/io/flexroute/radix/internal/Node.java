package io.flexroute.radix.internal;

import org.jspecify.annotations.Nullable;

/**
 * One edge of the radix tree: a text fragment and the tokens that spell it.
 *
 * <p>Not thread-safe on its own: every field except {@link #lastAccess} is read under the tree's
 * read lock and written under its write lock. {@code lastAccess} is volatile because lookups update
 * it while holding only the read lock.
 *
 * <p>Invariants (checked by {@link RadixTree#verifyInvariants()}): the key is non-empty; there is at
 * least one token; {@code ids}, {@code logprobs} and the mask have one entry per token; when {@code
 * lens} is present it holds one text length per token and they add up to the key length; children
 * are sorted by the first char of their key, siblings with the same first char keep insertion order.
 */
final class Node {

  static final char[] NO_CHARS = new char[0];
  static final Node[] NO_NODES = new Node[0];

  /** Shallow size of a node with compressed oops: 12-byte header, 9 refs, 2 ints, 1 long. */
  static final long SHALLOW_BYTES = 64;

  /** Children up to this count are searched linearly; above it, by binary search. */
  private static final int LINEAR_SEARCH_MAX = 8;

  /** The text fragment of this edge (not cumulative). */
  char[] key;

  /** Token ids of the fragment. */
  int[] ids;

  /** Rollout logprob of every token. */
  float[] logprobs;

  /** Loss mask, one bit per token; {@code null} when every bit is 0. */
  long @Nullable [] mask;

  /**
   * Text length of every token as LEB128 varints; {@code null} when the token boundaries inside the
   * fragment are unknown, in which case the node is never split.
   */
  byte @Nullable [] lens;

  /** Weight version of the insert that created these tokens, or -1. */
  int weightVersion;

  /** Newest version of any insert that walked through this node, or -1. */
  int traverseVersion;

  /** Ticker value of the last insert or lookup that used this node. */
  volatile long lastAccess;

  /** The parent; {@code null} only for the root and for detached nodes. */
  @Nullable Node parent;

  /** First char of every child's key, sorted. */
  char[] childChars = NO_CHARS;

  /** Children, parallel to {@link #childChars}. */
  Node[] children = NO_NODES;

  /**
   * The only child when there is exactly one, else {@code null}: on a chain of turns a walk goes
   * from node to child without loading the child arrays (one dependent memory load less per level).
   */
  @Nullable Node soleChild;

  Node(
      char[] key,
      int[] ids,
      float[] logprobs,
      long @Nullable [] mask,
      byte @Nullable [] lens,
      int weightVersion,
      int traverseVersion,
      long lastAccess) {
    this.key = key;
    this.ids = ids;
    this.logprobs = logprobs;
    this.mask = mask;
    this.lens = lens;
    this.weightVersion = weightVersion;
    this.traverseVersion = traverseVersion;
    this.lastAccess = lastAccess;
  }

  static Node root() {
    return new Node(NO_CHARS, new int[0], new float[0], null, null, -1, -1, 0L);
  }

  int tokenCount() {
    return ids.length;
  }

  /** Index of the first child whose key starts with {@code c}, or -1. */
  int firstChild(char c) {
    char[] cc = childChars;
    int n = cc.length;
    if (n <= LINEAR_SEARCH_MAX) {
      for (int i = 0; i < n; i++) {
        char x = cc[i];
        if (x == c) {
          return i;
        }
        if (x > c) {
          return -1;
        }
      }
      return -1;
    }
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cc[mid] < c) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < n && cc[lo] == c ? lo : -1;
  }

  /** End (exclusive) of the run of children starting with the same char as child {@code i}. */
  int runEnd(int i) {
    char[] cc = childChars;
    char c = cc[i];
    int j = i + 1;
    while (j < cc.length && cc[j] == c) {
      j++;
    }
    return j;
  }

  /** Adds a child after any sibling that starts with the same char. */
  void addChild(Node child) {
    char c = child.key[0];
    char[] cc = childChars;
    int n = cc.length;
    int pos = n;
    if (n <= LINEAR_SEARCH_MAX) {
      for (int i = 0; i < n; i++) {
        if (cc[i] > c) {
          pos = i;
          break;
        }
      }
    } else {
      int lo = 0;
      int hi = n;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cc[mid] <= c) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      pos = lo;
    }
    char[] nc = new char[n + 1];
    Node[] nn = new Node[n + 1];
    System.arraycopy(cc, 0, nc, 0, pos);
    System.arraycopy(children, 0, nn, 0, pos);
    nc[pos] = c;
    nn[pos] = child;
    System.arraycopy(cc, pos, nc, pos + 1, n - pos);
    System.arraycopy(children, pos, nn, pos + 1, n - pos);
    setChildren(nc, nn);
    child.parent = this;
  }

  /** Replaces {@code old} by {@code replacement}, which must start with the same char. */
  void replaceChild(Node old, Node replacement) {
    int i = indexOf(old);
    children[i] = replacement;
    if (soleChild == old) {
      soleChild = replacement;
    }
    replacement.parent = this;
  }

  /** Removes a child. */
  void removeChild(Node child) {
    int i = indexOf(child);
    int n = childChars.length;
    if (n == 1) {
      setChildren(NO_CHARS, NO_NODES);
      return;
    }
    char[] nc = new char[n - 1];
    Node[] nn = new Node[n - 1];
    System.arraycopy(childChars, 0, nc, 0, i);
    System.arraycopy(children, 0, nn, 0, i);
    System.arraycopy(childChars, i + 1, nc, i, n - i - 1);
    System.arraycopy(children, i + 1, nn, i, n - i - 1);
    setChildren(nc, nn);
  }

  /** Replaces the child arrays (sorted, parallel) and keeps {@link #soleChild} in step. */
  void setChildren(char[] chars, Node[] nodes) {
    childChars = chars;
    children = nodes;
    soleChild = nodes.length == 1 ? nodes[0] : null;
  }

  private int indexOf(Node child) {
    int i = firstChild(child.key[0]);
    if (i >= 0) {
      for (int j = i; j < children.length && childChars[j] == child.key[0]; j++) {
        if (children[j] == child) {
          return j;
        }
      }
    }
    throw new IllegalStateException("node is not a child of its parent");
  }

  /**
   * Moves the access time forward, never back: callers read the clock before they get the lock, so
   * one that waited behind a writer holds an older time than the writer wrote, and setting it would
   * make a recently used node look old to eviction. Skips the write when nothing changes.
   */
  void touch(long now) {
    long seen = lastAccess;
    // A compare-and-set, since readers touch concurrently: a plain write could put back an older
    // time another reader had just moved past.
    while (now > seen && !LAST_ACCESS.compareAndSet(this, seen, now)) {
      seen = lastAccess;
    }
  }

  private static final java.lang.invoke.VarHandle LAST_ACCESS;

  static {
    try {
      LAST_ACCESS =
          java.lang.invoke.MethodHandles.lookup().findVarHandle(Node.class, "lastAccess", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Deterministic estimate of the heap this node retains (itself, its payload arrays and its child
   * arrays), assuming a 64-bit JVM with compressed oops and 8-byte alignment.
   */
  long estimatedBytes() {
    long b = SHALLOW_BYTES;
    b += array(2L * key.length);
    b += array(4L * ids.length);
    b += array(4L * logprobs.length);
    if (mask != null) {
      b += array(8L * mask.length);
    }
    if (lens != null) {
      b += array(lens.length);
    }
    if (childChars.length > 0) {
      b += array(2L * childChars.length) + array(4L * children.length);
    }
    return b;
  }

  private static long array(long payload) {
    return (16 + payload + 7) & ~7L;
  }
}
