package io.flexroute.core.strategy.internal;

import io.flexroute.TokenIds;
import io.flexroute.spi.WorkerView;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A consistent-hash ring over a candidate list: each worker owns {@code virtualNodes} points,
 * hashed
 * from its id, so adding or removing a worker moves about 1/n of the keys. Also maps worker ids to
 * candidate positions. Immutable and thread-safe.
 */
public final class HashRing {

  private final long[] points;
  private final long ownerMask;
  private final Map<String, Integer> positions;
  // For a ring over part of another ring's workers: the position in this ring's list of each
  // position in the other ring's, -1 for a worker not in this list. Null for a ring of its own.
  private final int @Nullable [] remap;

  /**
   * Builds the ring of a candidate list: O(n * virtualNodes * log) once per list.
   *
   * @param candidates the candidates
   * @param virtualNodes points per worker, at least 1
   */
  public HashRing(List<WorkerView> candidates, int virtualNodes) {
    int n = candidates.size();
    int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
    this.ownerMask = (1L << bits) - 1;
    long[] p = new long[n * virtualNodes];
    Map<String, Integer> pos = new HashMap<>(n * 2);
    int k = 0;
    for (int i = 0; i < n; i++) {
      String id = candidates.get(i).id();
      pos.putIfAbsent(id, i);
      long base = hash(id);
      for (int v = 0; v < virtualNodes; v++) {
        long h = mix(base + 0x9E3779B97F4A7C15L * (v + 1));
        p[k++] = (h & ~ownerMask) | i;
      }
    }
    Arrays.sort(p);
    this.points = p;
    this.positions = pos;
    this.remap = null;
  }

  /**
   * A ring over some of another ring's workers, sharing its points: O(n), where building a ring is
   * O(n * virtualNodes * log). Keys map as on the other ring with the missing workers' points
   * skipped, which is also what a ring of the list's own would give, so a retry list (the
   * candidates without the workers that failed) costs no ring of its own.
   *
   * @param base a ring of its own (not over part of another) holding every worker of {@code
   *     candidates}
   * @param candidates the list, each of whose workers {@code base} holds ({@link #holdsAll})
   * @throws IllegalArgumentException if {@code base} is over part of another ring or lacks a
   *     worker of the list
   */
  public HashRing(HashRing base, List<WorkerView> candidates) {
    if (base.remap != null) {
      throw new IllegalArgumentException("the base ring must be a ring of its own");
    }
    int[] map = new int[base.positions.size()];
    Arrays.fill(map, -1);
    Map<String, Integer> pos = new HashMap<>(candidates.size() * 2);
    for (int i = 0; i < candidates.size(); i++) {
      String id = candidates.get(i).id();
      Integer at = base.positions.get(id);
      if (at == null) {
        throw new IllegalArgumentException("the base ring lacks worker '" + id + "'");
      }
      pos.putIfAbsent(id, i);
      map[at] = i;
    }
    this.points = base.points;
    this.ownerMask = base.ownerMask;
    this.positions = pos;
    this.remap = map;
  }

  /**
   * Whether this ring holds every worker of a list (so that a ring over the list can share it).
   *
   * @param candidates the list
   * @return {@code true} if every worker of the list is on this ring
   */
  public boolean holdsAll(List<WorkerView> candidates) {
    for (int i = 0, n = candidates.size(); i < n; i++) {
      if (!positions.containsKey(candidates.get(i).id())) {
        return false;
      }
    }
    return true;
  }


  /** @return the number of workers the ring maps keys to */
  public int size() {
    return positions.size();
  }

  /**
   * The candidate position of a worker id.
   *
   * @param workerId the id
   * @return the position, or -1 when the worker is not a candidate
   */
  public int position(String workerId) {
    Integer i = positions.get(workerId);
    return i == null ? -1 : i;
  }

  /**
   * The index of the first ring point at or after a hash (wrapping).
   *
   * @param hash the key's hash
   * @return the point index
   */
  public int firstPoint(long hash) {
    int i = Arrays.binarySearch(points, hash);
    if (i < 0) {
      i = -(i + 1);
    }
    return i == points.length ? 0 : i;
  }

  /** @return the number of points */
  public int pointCount() {
    return points.length;
  }

  /**
   * The candidate that owns a point.
   *
   * @param point the point index
   * @return the candidate position, or -1 for a point of a worker this ring does not hold (a ring
   *     over part of another's workers)
   */
  public int owner(int point) {
    int raw = (int) (points[point] & ownerMask);
    return remap == null ? raw : remap[raw];
  }

  /**
   * A 64-bit hash of a string.
   *
   * @param s the string
   * @return the hash
   */
  public static long hash(String s) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /**
   * A 64-bit hash of the first characters of a string.
   *
   * @param s the string
   * @param limit how many characters at most
   * @return the hash
   */
  public static long hashPrefix(String s, int limit) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0, n = Math.min(limit, s.length()); i < n; i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /**
   * A 64-bit hash of the first token ids.
   *
   * @param ids the ids
   * @param limit how many ids at most
   * @return the hash
   */
  public static long hashPrefix(TokenIds ids, int limit) {
    long h = 0x84222325CBF29CE4L;
    for (int i = 0, n = Math.min(limit, ids.size()); i < n; i++) {
      h = (h ^ ids.get(i)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /** The murmur3 64-bit finaliser: spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
