package io.flexroute.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundOrdersTest {

  @Test
  void everyPathTakesEveryPositionAndFollowsEveryOtherEquallyOften() {
    for (int n = 1; n <= 7; n++) {
      List<List<Integer>> orders = RoundOrders.williams(n);

      assertThat(orders).hasSize(n % 2 == 0 ? n : 2 * n);
      Map<String, Integer> positions = new HashMap<>();
      Map<String, Integer> successions = new HashMap<>();
      for (List<Integer> order : orders) {
        assertThat(order).containsExactlyInAnyOrderElementsOf(range(n));
        for (int p = 0; p < n; p++) {
          positions.merge(order.get(p) + "@" + p, 1, Integer::sum);
          if (p > 0) {
            successions.merge(order.get(p - 1) + ">" + order.get(p), 1, Integer::sum);
          }
        }
      }
      assertThat(positions).hasSize(n * n);
      assertThat(positions.values()).containsOnly(orders.size() / n);
      if (n > 1) {
        assertThat(successions).hasSize(n * (n - 1));
        assertThat(successions.values()).containsOnly(orders.size() / n);
      }
    }
  }

  @Test
  void rejectsNoPaths() {
    assertThatThrownBy(() -> RoundOrders.williams(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n");
  }

  private static List<Integer> range(int n) {
    return java.util.stream.IntStream.range(0, n).boxed().toList();
  }
}
