package io.flexroute;

import java.util.Comparator;
import java.util.Objects;

/**
 * The order of weight versions, which the router needs to tell whether a worker's weights are at
 * least as new as a request requires ({@link InferenceRequest#minWeightVersion()}).
 *
 * <p>SGLang labels weights with free strings ({@code --weight-version}, initially {@code
 * "default"}; each update may set a new one). The router compares them with the order given to
 * {@link RouterBuilder#weightVersionOrder(Comparator)}, by default {@link #naturalOrder()}. This
 * class has only static members; the comparators it returns are immutable and thread-safe.
 */
public final class WeightVersions {

  /** SGLang's version label before any update: {@code "default"}. It is older than any other. */
  public static final String INITIAL = "default";

  private static final Comparator<String> NATURAL = WeightVersions::compareNatural;

  private WeightVersions() {}

  /**
   * The default order: {@value #INITIAL} first, then every other label in natural order, which
   * compares runs of ASCII digits as numbers and other runs as text, so that {@code "7" < "8" <
   * "10"}, {@code "step-300" < "step-1200"} and {@code "v1.2" < "v1.10"}. A run of digits sorts
   * before a run of other characters at the same position. Labels that are equal as numbers but
   * not as text ({@code "07"} and {@code "7"}) are ordered as text, so the order is consistent with
   * {@link String#equals}.
   *
   * <p>It fits trainers that number their updates (slime passes the step number) or put a
   * growing number in the label. For labels without such a number (checkpoint hashes) give the
   * router an order of your own.
   *
   * @return the comparator
   */
  public static Comparator<String> naturalOrder() {
    return NATURAL;
  }

  private static int compareNatural(String a, String b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.equals(b)) {
      return 0;
    }
    if (a.equals(INITIAL)) {
      return -1;
    }
    if (b.equals(INITIAL)) {
      return 1;
    }
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      boolean digitA = isDigit(a.charAt(i));
      boolean digitB = isDigit(b.charAt(j));
      int endA = runEnd(a, i, digitA);
      int endB = runEnd(b, j, digitB);
      int c;
      if (digitA && digitB) {
        c = compareNumbers(a, i, endA, b, j, endB);
      } else if (digitA != digitB) {
        c = digitA ? -1 : 1;
      } else {
        c = a.substring(i, endA).compareTo(b.substring(j, endB));
      }
      if (c != 0) {
        return c;
      }
      i = endA;
      j = endB;
    }
    if (i < a.length() || j < b.length()) {
      return i < a.length() ? 1 : -1;
    }
    return a.compareTo(b);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int runEnd(String s, int from, boolean digits) {
    int k = from;
    while (k < s.length() && isDigit(s.charAt(k)) == digits) {
      k++;
    }
    return k;
  }

  /** Compares two digit runs as numbers of any length: leading zeros skipped, then length. */
  private static int compareNumbers(String a, int i, int endA, String b, int j, int endB) {
    while (i < endA - 1 && a.charAt(i) == '0') {
      i++;
    }
    while (j < endB - 1 && b.charAt(j) == '0') {
      j++;
    }
    int lengths = Integer.compare(endA - i, endB - j);
    if (lengths != 0) {
      return lengths;
    }
    for (; i < endA; i++, j++) {
      int c = Character.compare(a.charAt(i), b.charAt(j));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
