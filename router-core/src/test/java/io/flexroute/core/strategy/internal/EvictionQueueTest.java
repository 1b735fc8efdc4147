package io.flexroute.core.strategy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-worker eviction order of the prefix tree: first in, first out, through growth. */
class EvictionQueueTest {

  private static PrefixTree.Node node(int id) {
    return new PrefixTree.Node(null, new PrefixTree.IntLabel(new int[] {id}, 0));
  }

  private static List<Long> drain(EvictionQueue queue) {
    List<Long> stamps = new ArrayList<>();
    EvictionQueue.Polled polled = new EvictionQueue.Polled();
    while (queue.poll(polled)) {
      assertThat(polled.node.label.at(0)).isEqualTo((int) polled.stamp);
      stamps.add(polled.stamp);
    }
    return stamps;
  }

  @Test
  void pollsInOfferOrderAcrossWrapAroundAndGrowth() {
    EvictionQueue queue = new EvictionQueue();
    EvictionQueue.Polled polled = new EvictionQueue.Polled();
    long next = 0;
    long expected = 0;
    // Offer and poll unevenly so that the ring wraps several times while it grows.
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 7; i++) {
        assertThat(queue.offer(node((int) next), next)).isEqualTo((int) (next - expected + 1));
        next++;
      }
      for (int i = 0; i < 4; i++) {
        assertThat(queue.poll(polled)).isTrue();
        assertThat(polled.stamp).isEqualTo(expected++);
      }
    }
    List<Long> rest = drain(queue);
    assertThat(rest).hasSize((int) (next - expected)).first().isEqualTo(expected);
    assertThat(rest).isSorted();
    assertThat(queue.size()).isZero();
    assertThat(queue.poll(polled)).isFalse();
  }

  @Test
  void survivorsOfACompactionGoBackInFrontOfPairsOfferedMeanwhile() {
    EvictionQueue queue = new EvictionQueue();
    for (int i = 0; i < 100; i++) {
      queue.offer(node(i), i);
    }
    EvictionQueue.Batch batch = new EvictionQueue.Batch();
    int n = queue.takeAll(batch);
    assertThat(n).isEqualTo(100);
    assertThat(queue.size()).isZero();
    // Meanwhile, other inserts queue newer pairs.
    for (int i = 100; i < 110; i++) {
      queue.offer(node(i), i);
    }
    // Keep the even ones, as a compaction keeps the live entries.
    int live = 0;
    for (int i = 0; i < n; i++) {
      if (batch.stamps[i] % 2 == 0) {
        batch.nodes[live] = batch.nodes[i];
        batch.stamps[live] = batch.stamps[i];
        live++;
      }
    }
    queue.prepend(batch, live);

    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < 100; i += 2) {
      expected.add(i);
    }
    for (long i = 100; i < 110; i++) {
      expected.add(i);
    }
    assertThat(drain(queue)).isEqualTo(expected);
  }
}
