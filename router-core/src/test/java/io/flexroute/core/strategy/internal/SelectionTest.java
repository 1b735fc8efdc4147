package io.flexroute.core.strategy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectionTest {

  @Test
  void kthSmallest_agreesWithSortingIncludingDuplicates() {
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + random.nextInt(300);
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = random.nextInt(20) * 0.5; // many ties
      }
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int k = random.nextInt(n);
      assertThat(Selection.kthSmallest(values.clone(), k)).isEqualTo(sorted[k]);
    }
  }

  @Test
  void kthSmallest_rejectsARankOutOfRange() {
    assertThatThrownBy(() -> Selection.kthSmallest(new double[] {1, 2}, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k must be");
  }
}
