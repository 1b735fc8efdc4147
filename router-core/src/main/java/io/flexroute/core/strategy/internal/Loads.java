package io.flexroute.core.strategy.internal;

import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The in-flight load of a candidate list, as the router's in-flight guard counts it: the minimum,
 * the maximum and the least-loaded candidate. Exact (a full scan from a random start, so ties
 * spread) up to a scan limit; above it, estimated from a random sample, which keeps the cost
 * independent of the fleet size.
 *
 * <p>Not thread-safe: a per-call value.
 */
public final class Loads {

  /** The smallest in-flight request count seen. */
  public int min;

  /** The largest in-flight request count seen. */
  public int max;

  /** The position of the least-loaded candidate seen (ties: fewer in-flight tokens). */
  public int argMin;

  /** The sum of the in-flight counts seen. */
  public long sum;

  /** The number of candidates seen. */
  public int seen;

  /**
   * Measures a candidate list.
   *
   * @param candidates the candidates, not empty
   * @param scanLimit scan every candidate when there are at most this many
   * @param sampleSize how many random candidates to read above the limit
   * @return this
   */
  public Loads measure(List<WorkerView> candidates, int scanLimit, int sampleSize) {
    int n = candidates.size();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    boolean scan = n <= scanLimit;
    int count = scan ? n : sampleSize;
    int start = n == 1 ? 0 : random.nextInt(n);
    min = Integer.MAX_VALUE;
    max = Integer.MIN_VALUE;
    argMin = start;
    sum = 0;
    seen = count;
    long minTokens = Long.MAX_VALUE;
    for (int k = 0; k < count; k++) {
      int i;
      if (scan) {
        i = start + k;
        if (i >= n) {
          i -= n;
        }
      } else {
        i = random.nextInt(n);
      }
      WorkerView w = candidates.get(i);
      int load = w.inFlightRequests();
      sum += load;
      if (load > max) {
        max = load;
      }
      if (load < min) {
        min = load;
        argMin = i;
        minTokens = w.inFlightTokens();
      } else if (load == min) {
        long tokens = w.inFlightTokens();
        if (tokens < minTokens) {
          argMin = i;
          minTokens = tokens;
        }
      }
    }
    return this;
  }

  /** @return the mean in-flight count of the candidates seen */
  public double mean() {
    return seen == 0 ? 0 : (double) sum / seen;
  }
}
