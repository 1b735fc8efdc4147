package io.flexroute.core.strategy.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Order statistics without sorting: the k-th smallest of an array in expected linear time
 * (quickselect with random pivots). Stateless and thread-safe.
 */
public final class Selection {

  private Selection() {}

  /**
   * The k-th smallest value (from 0) of the values; reorders the array.
   *
   * @param values the values, not empty, without NaN; reordered in place
   * @param k the rank, from 0 to {@code values.length - 1}
   * @return the value of rank k
   * @throws IllegalArgumentException if k is out of range
   */
  public static double kthSmallest(double[] values, int k) {
    if (k < 0 || k >= values.length) {
      throw new IllegalArgumentException(
          "k must be in [0, " + values.length + "), but was " + k);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int lo = 0;
    int hi = values.length - 1;
    while (lo < hi) {
      double pivot = values[lo + random.nextInt(hi - lo + 1)];
      // Three-way partition: [lo, lt) < pivot, [lt, gt] == pivot, (gt, hi] > pivot.
      int lt = lo;
      int gt = hi;
      int i = lo;
      while (i <= gt) {
        double v = values[i];
        if (v < pivot) {
          values[i++] = values[lt];
          values[lt++] = v;
        } else if (v > pivot) {
          values[i] = values[gt];
          values[gt--] = v;
        } else {
          i++;
        }
      }
      if (k < lt) {
        hi = lt - 1;
      } else if (k > gt) {
        lo = gt + 1;
      } else {
        return pivot;
      }
    }
    return values[lo];
  }
}
