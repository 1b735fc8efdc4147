package io.flexroute.core.strategy.internal;

import io.flexroute.spi.WorkerView;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * An immutable candidate list that also carries where each candidate's in-flight counters live in
 * the router's {@link InFlightCounters}, so that {@link #leastInFlight(int)} is a tight scan of
 * packed longs rather than two interface calls and an atomic in a separate object per candidate.
 *
 * <p>The router builds these lists; strategies see them as an ordinary {@code List<WorkerView>}.
 * Each view's own {@code inFlightRequests()} and {@code inFlightTokens()} must read the same cell
 * the list was given for it. When every candidate lives in one chunk of the table (fleets of up to
 * 1,024 workers), the scan reads one int array through the candidates' slot numbers; when their
 * slots are also consecutive (every worker eligible, none removed since), it reads a run of ints. Holding the list keeps every candidate's cell reachable, so no slot it
 * scans is reused while the list is alive. Thread-safe: immutable; the counters are read atomically.
 */
public final class CountedCandidates extends AbstractList<WorkerView> implements RandomAccess {

  private final WorkerView[] views;
  private final InFlightCounters.Cell[] cells;
  private final int[][] requestArrays;
  private final long[][] tokenArrays;
  private final int[] indexes;
  // The one chunk every candidate lives in, or null when they span several.
  private final int @Nullable [] sharedRequests;
  private final long @Nullable [] sharedTokens;
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
    this.requestArrays = new int[n][];
    this.tokenArrays = new long[n][];
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
      this.requestArrays[i] = cell.requests;
      this.tokenArrays[i] = cell.tokens;
      this.indexes[i] = cell.index;
      oneChunk &= cell.requests == this.requestArrays[0];
    }
    this.sharedRequests = n > 0 && oneChunk ? requestArrays[0] : null;
    this.sharedTokens = n > 0 && oneChunk ? tokenArrays[0] : null;
    boolean consecutive = sharedRequests != null;
    for (int i = 1; consecutive && i < n; i++) {
      consecutive = indexes[i] == indexes[0] + i;
    }
    this.firstSlot = consecutive ? indexes[0] : -1;
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
    // sees, without a barrier per candidate (an opaque read in the loop, even on the rare tie path,
    // keeps the compiler from unrolling it). The ints are atomic; the tokens, read only on equal
    // request counts, are aligned longs, which 64-bit JVMs never split.
    VarHandle.acquireFence();
    int[] oneChunk = sharedRequests;
    long[] oneChunkTokens = sharedTokens;
    int best;
    if (oneChunk == null || oneChunkTokens == null) {
      best = scanChunks(start);
    } else if (firstSlot >= 0) {
      best = scanRange(oneChunk, oneChunkTokens, firstSlot, start);
    } else {
      best = scanOneChunk(oneChunk, oneChunkTokens, start);
    }
    // The cells, through which the slots scanned stay owned, must outlive the reads.
    Reference.reachabilityFence(cells);
    return best;
  }

  /**
   * The scan over consecutive slots, in two passes: the smallest request count (a branch-free
   * reduction over consecutive ints), then, from the start, the first candidate with that count and
   * the fewest tokens. Over unchanging counts that is the first, in scan order, of the least
   * (requests, tokens): what the one-pass scan returns. If the counts moved between the passes so
   * that no candidate has the minimum any more, the one-pass scan decides.
   */
  private int scanRange(int[] requestsOf, long[] tokensOf, int base, int start) {
    int n = indexes.length;
    int min = Integer.MAX_VALUE;
    for (int slot = base, end = base + n; slot < end; slot++) {
      min = Math.min(min, requestsOf[slot]);
    }
    int best = -1;
    int bestRequests = min;
    long bestTokens = Long.MAX_VALUE;
    int from = start;
    int to = n;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = from; i < to; i++) {
        int requests = requestsOf[base + i];
        if (requests <= bestRequests) {
          long tokens = tokensOf[base + i];
          if (requests < bestRequests || tokens < bestTokens) {
            best = i;
            bestRequests = requests;
            bestTokens = tokens;
            if (requests <= 0 && tokens <= 0) {
              return best;
            }
          }
        }
      }
      from = 0;
      to = start;
    }
    return best >= 0 ? best : scanOneChunk(requestsOf, tokensOf, start);
  }

  private int scanOneChunk(int[] requestsOf, long[] tokensOf, int start) {
    int[] indexes = this.indexes;
    int n = indexes.length;
    int best = start;
    int bestRequests = requestsOf[indexes[start]];
    long bestTokens = tokensOf[indexes[start]];
    if (bestRequests <= 0 && bestTokens <= 0) {
      return best;
    }
    // Two loops instead of a wrapping index: [start + 1, n), then [0, start).
    int from = start + 1;
    int to = n;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = from; i < to; i++) {
        int index = indexes[i];
        int requests = requestsOf[index];
        if (requests <= bestRequests) {
          long tokens = tokensOf[index];
          if (requests < bestRequests || tokens < bestTokens) {
            best = i;
            bestRequests = requests;
            bestTokens = tokens;
            if (requests <= 0 && tokens <= 0) {
              return best;
            }
          }
        }
      }
      from = 0;
      to = start;
    }
    return best;
  }

  private int scanChunks(int start) {
    int[][] requestArrays = this.requestArrays;
    int[] indexes = this.indexes;
    int n = indexes.length;
    int best = start;
    int bestRequests = requestArrays[start][indexes[start]];
    long bestTokens = tokenArrays[start][indexes[start]];
    if (bestRequests <= 0 && bestTokens <= 0) {
      return best;
    }
    int from = start + 1;
    int to = n;
    for (int pass = 0; pass < 2; pass++) {
      for (int i = from; i < to; i++) {
        int index = indexes[i];
        int requests = requestArrays[i][index];
        if (requests <= bestRequests) {
          long tokens = tokenArrays[i][index];
          if (requests < bestRequests || tokens < bestTokens) {
            best = i;
            bestRequests = requests;
            bestTokens = tokens;
            if (requests <= 0 && tokens <= 0) {
              return best;
            }
          }
        }
      }
      from = 0;
      to = start;
    }
    return best;
  }
}
