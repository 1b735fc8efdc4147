package io.flexroute.core.strategy.internal;

import io.flexroute.spi.WorkerView;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable candidate list that also carries where each candidate's in-flight counters live in
 * the router's {@link InFlightCounters}, so that {@link #leastInFlight(int)} is a tight scan of
 * packed longs rather than two interface calls and an atomic in a separate object per candidate.
 *
 * <p>The router builds these lists; strategies see them as an ordinary {@code List<WorkerView>}.
 * Each view's own {@code inFlightRequests()} and {@code inFlightTokens()} must read the same cell
 * the list was given for it. Holding the list keeps every candidate's cell reachable, so no slot it
 * scans is reused while the list is alive. Thread-safe: immutable; the counters are read atomically.
 */
public final class CountedCandidates extends AbstractList<WorkerView> implements RandomAccess {

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final WorkerView[] views;
  private final InFlightCounters.Cell[] cells;
  private final long[][] arrays;
  private final int[] offsets;

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
    this.arrays = new long[n][];
    this.offsets = new int[n];
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
      this.arrays[i] = cell.array;
      this.offsets[i] = cell.offset;
    }
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
    int n = offsets.length;
    if (start < 0 || start >= n) {
      throw new IllegalArgumentException("start must be in [0, " + n + "), but was " + start);
    }
    long[][] arrays = this.arrays;
    int[] offsets = this.offsets;
    int best = start;
    int bestRequests = (int) (long) LONGS.getOpaque(arrays[start], offsets[start]);
    long bestTokens = (long) LONGS.getOpaque(arrays[start], offsets[start] + 1);
    if (bestRequests > 0 || bestTokens > 0) {
      // Two loops instead of a wrapping index: [start + 1, n), then [0, start).
      int from = start + 1;
      int to = n;
      for (int pass = 0; pass < 2; pass++) {
        for (int i = from; i < to; i++) {
          long[] array = arrays[i];
          int offset = offsets[i];
          int requests = (int) (long) LONGS.getOpaque(array, offset);
          if (requests <= bestRequests) {
            long tokens = (long) LONGS.getOpaque(array, offset + 1);
            if (requests < bestRequests || tokens < bestTokens) {
              best = i;
              bestRequests = requests;
              bestTokens = tokens;
              if (requests <= 0 && tokens <= 0) {
                pass = 2;
                break;
              }
            }
          }
        }
        from = 0;
        to = start;
      }
    }
    // The cells, through which the slots scanned stay owned, must outlive the reads.
    Reference.reachabilityFence(cells);
    return best;
  }
}
