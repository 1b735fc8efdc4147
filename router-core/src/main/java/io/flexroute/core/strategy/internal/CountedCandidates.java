package io.flexroute.core.strategy.internal;

import io.flexroute.spi.WorkerView;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable candidate list that also carries where each candidate's in-flight counters live in
 * the router's {@link InFlightCounters}, so that {@link #leastInFlight(int)} is a tight scan of
 * packed longs rather than two interface calls and two atomics in a separate object per candidate.
 *
 * <p>The router builds these lists; strategies see them as an ordinary {@code List<WorkerView>}.
 * Each view's own {@code inFlightRequests()} and {@code inFlightTokens()} must read the same cell
 * the list was given for it. When every candidate lives in one chunk of the table (fleets of up to
 * 1,024 workers), the scan reads one array through the candidates' slot numbers; when their slots
 * are also consecutive (every worker eligible, none removed since), it reads a run of longs.
 * Holding the list keeps every candidate's cell reachable, so no slot it scans is reused while the
 * list is alive. Thread-safe: immutable; the counters are read atomically.
 */
public final class CountedCandidates extends AbstractList<WorkerView> implements RandomAccess {

  private final WorkerView[] views;
  private final InFlightCounters.Cell[] cells;
  private final long[][] countArrays;
  private final int[] indexes;
  // The one chunk every candidate lives in, or null when they span several.
  private final long @Nullable [] sharedCounts;
  // The first slot when the candidates' slots are consecutive in that chunk, in list order (a fleet
  // whose workers are all eligible, added in order), else -1.
  private final int firstSlot;

  /**
   * Creates the list.
   *
   * @param views the candidates, in order
   * @param cells the in-flight cell of each candidate, in the same order
   * @throws IllegalArgumentException if either is null, holds null, or their sizes differ
   */
  public CountedCandidates(List<? extends WorkerView> views, List<InFlightCounters.Cell> cells) {
    if (views == null) {
      throw new IllegalArgumentException("views must not be null");
    }
    if (cells == null || cells.size() != views.size()) {
      throw new IllegalArgumentException("cells must hold one cell per view");
    }
    int n = views.size();
    this.views = new WorkerView[n];
    this.cells = new InFlightCounters.Cell[n];
    this.countArrays = new long[n][];
    this.indexes = new int[n];
    boolean oneChunk = true;
    for (int i = 0; i < n; i++) {
      WorkerView view = views.get(i);
      InFlightCounters.Cell cell = cells.get(i);
      if (view == null) {
        throw new IllegalArgumentException("views must not hold null (index " + i + ")");
      }
      if (cell == null) {
        throw new IllegalArgumentException("cells must not hold null (index " + i + ")");
      }
      this.views[i] = view;
      this.cells[i] = cell;
      this.countArrays[i] = cell.counts;
      this.indexes[i] = cell.index;
      oneChunk &= cell.counts == this.countArrays[0];
    }
    this.sharedCounts = n > 0 && oneChunk ? countArrays[0] : null;
    boolean consecutive = sharedCounts != null;
    for (int i = 1; consecutive && i < n; i++) {
      consecutive = indexes[i] == indexes[0] + i;
    }
    this.firstSlot = consecutive ? indexes[0] : -1;
  }

  /**
   * This list without the candidates whose ids are given, keeping the packed scan.
   *
   * @param ids the ids of the candidates to leave out
   * @return the shorter list, or this one when none is left out
   */
  public CountedCandidates without(Set<String> ids) {
    List<WorkerView> keptViews = new ArrayList<>(views.length);
    List<InFlightCounters.Cell> keptCells = new ArrayList<>(views.length);
    for (int i = 0; i < views.length; i++) {
      if (!ids.contains(views[i].id())) {
        keptViews.add(views[i]);
        keptCells.add(cells[i]);
      }
    }
    return keptViews.size() == views.length ? this : new CountedCandidates(keptViews, keptCells);
  }

  @Override
  public WorkerView get(int index) {
    return views[index];
  }

  @Override
  public int size() {
    return views.length;
  }

  /**
   * The position of the candidate with the fewest requests in flight, then the fewest in-flight
   * prompt tokens, scanning from {@code start} and wrapping around; among equals the first one
   * scanned wins, and the scan stops at the first idle candidate. The same choice as {@link
   * LeastInFlight#genericScan} makes over the same counts.
   *
   * @param start the first position scanned, from 0 to {@code size() - 1}
   * @return the chosen position
   * @throws IllegalArgumentException if start is out of range
   */
  public int leastInFlight(int start) {
    int n = indexes.length;
    if (start < 0 || start >= n) {
      throw new IllegalArgumentException("start must be in [0, " + n + "), but was " + start);
    }
    // Plain reads, at least as fresh as this fence: the racing snapshot every scan of live counters
    // sees, without a barrier per candidate (an opaque read in the loop keeps the compiler from
    // unrolling it). Each count is one aligned long, which 64-bit JVMs never split, and holds a
    // worker's requests above its tokens, so one comparison orders two workers by both.
    VarHandle.acquireFence();
    long[] oneChunk = sharedCounts;
    int best;
    if (oneChunk == null) {
      best = scanChunks(start);
    } else if (firstSlot >= 0) {
      best = scanRange(oneChunk, firstSlot, start);
    } else {
      best = scanOneChunk(oneChunk, start);
    }
    // The cells, through which the slots scanned stay owned, must outlive the reads.
    Reference.reachabilityFence(cells);
    return best;
  }

  // One scan per layout, differing only in how a candidate's count is found, so that each inner
  // loop is as short as that layout allows. Each runs [start + 1, n) then [0, start) rather than
  // wrapping an index; the second part starts from the count the first part's choice had when it
  // is read again, which a concurrent update may have moved, as it may move any count scanned.

  private int scanRange(long[] counts, int base, int start) {
    int n = indexes.length;
    int best = start;
    if (counts[base + start] > 0) {
      best = bestOfRange(counts, base, start + 1, n, best);
      if (counts[base + best] > 0) {
        best = bestOfRange(counts, base, 0, start, best);
      }
    }
    return best;
  }

  /** The first position in [from, to) counting less than the best so far, or that best. */
  private static int bestOfRange(long[] counts, int base, int from, int to, int best) {
    long bestCount = counts[base + best];
    for (int i = from; i < to; i++) {
      long count = counts[base + i];
      if (count < bestCount) {
        best = i;
        bestCount = count;
        if (count <= 0) {
          break;
        }
      }
    }
    return best;
  }

  private int scanOneChunk(long[] counts, int start) {
    int[] indexes = this.indexes;
    int best = start;
    if (counts[indexes[start]] > 0) {
      best = bestOfIndexed(counts, indexes, start + 1, indexes.length, best);
      if (counts[indexes[best]] > 0) {
        best = bestOfIndexed(counts, indexes, 0, start, best);
      }
    }
    return best;
  }

  private static int bestOfIndexed(long[] counts, int[] indexes, int from, int to, int best) {
    long bestCount = counts[indexes[best]];
    for (int i = from; i < to; i++) {
      long count = counts[indexes[i]];
      if (count < bestCount) {
        best = i;
        bestCount = count;
        if (count <= 0) {
          break;
        }
      }
    }
    return best;
  }

  private int scanChunks(int start) {
    long[][] arrays = countArrays;
    int[] indexes = this.indexes;
    int best = start;
    if (arrays[start][indexes[start]] > 0) {
      best = bestOfChunks(arrays, indexes, start + 1, indexes.length, best);
      if (arrays[best][indexes[best]] > 0) {
        best = bestOfChunks(arrays, indexes, 0, start, best);
      }
    }
    return best;
  }

  private static int bestOfChunks(long[][] arrays, int[] indexes, int from, int to, int best) {
    long bestCount = arrays[best][indexes[best]];
    for (int i = from; i < to; i++) {
      long count = arrays[i][indexes[i]];
      if (count < bestCount) {
        best = i;
        bestCount = count;
        if (count <= 0) {
          break;
        }
      }
    }
    return best;
  }
}
