package io.flexroute.benchmarks.overhead;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The order in which the paths run in each round: a Williams design, a Latin square in which every
 * path runs in every position equally often and follows every other path equally often, so that
 * neither drift over the run nor what ran just before favours one path.
 *
 * <p>Stateless and thread-safe.
 */
final class RoundOrders {

  private RoundOrders() {}

  /**
   * Returns the orders of a Williams design for {@code n} paths: {@code n} orders for an even
   * {@code n}, {@code 2n} for an odd one. Round {@code r} uses order {@code r % size}.
   *
   * @param n the number of paths, at least 1
   * @return the orders, each a permutation of 0 to n - 1
   * @throws IllegalArgumentException if {@code n} is below 1
   */
  static List<List<Integer>> williams(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, but was " + n);
    }
    // First row 0, 1, n-1, 2, n-2, ...; row r adds r to each entry, modulo n.
    int[] first = new int[n];
    for (int j = 1; j < n; j++) {
      first[j] = j % 2 == 1 ? (j + 1) / 2 : n - j / 2;
    }
    List<List<Integer>> orders = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      List<Integer> order = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        order.add((first[j] + r) % n);
      }
      orders.add(List.copyOf(order));
    }
    if (n % 2 == 1) {
      // For an odd n the square alone is not balanced for predecessors; its mirror completes it.
      for (int r = 0; r < n; r++) {
        List<Integer> mirrored = new ArrayList<>(orders.get(r));
        Collections.reverse(mirrored);
        orders.add(List.copyOf(mirrored));
      }
    }
    return List.copyOf(orders);
  }
}
