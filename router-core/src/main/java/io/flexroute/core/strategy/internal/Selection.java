package io.flexroute.core.strategy.internal;

/**
 * Order statistics without sorting: the k-th smallest of an array in expected linear time
 * (quickselect with a median-of-three pivot and three-way partitioning, so runs of equal values
 * cost one pass). Stateless and thread-safe.
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
    int lo = 0;
    int hi = values.length - 1;
    while (lo < hi) {
      double pivot = medianOfThree(values[lo], values[(lo + hi) >>> 1], values[hi]);
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

  private static double medianOfThree(double a, double b, double c) {
    return a < b ? (b < c ? b : Math.max(a, c)) : (a < c ? a : Math.max(b, c));
  }
}
