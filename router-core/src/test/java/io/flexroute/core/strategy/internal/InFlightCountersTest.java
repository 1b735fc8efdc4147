package io.flexroute.core.strategy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flexroute.core.strategy.Concurrently;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The packed in-flight table: counting, slot layout, slot reuse and concurrent updates. */
class InFlightCountersTest {

  @Test
  void cellsCountRequestsAndTokens() {
    InFlightCounters.Cell cell = new InFlightCounters().allocate();
    cell.acquire(100);
    cell.acquire(50);
    assertThat(cell.requests()).isEqualTo(2);
    assertThat(cell.tokens()).isEqualTo(150);
    cell.release(100);
    assertThat(cell.requests()).isEqualTo(1);
    assertThat(cell.tokens()).isEqualTo(50);
  }

  @Test
  void tryAcquire_countsOnlyBelowTheLimit() {
    InFlightCounters.Cell cell = new InFlightCounters().allocate();
    assertThat(cell.tryAcquire(10, 2)).isTrue();
    assertThat(cell.tryAcquire(10, 2)).isTrue();
    assertThat(cell.tryAcquire(10, 2)).isFalse();
    assertThat(cell.requests()).isEqualTo(2);
    assertThat(cell.tokens()).isEqualTo(20);
  }

  @Test
  void badTokenCountsAreRefused_andLargeOnesAreCappedWithoutTouchingTheRequests() {
    InFlightCounters.Cell cell = new InFlightCounters().allocate();
    assertThatThrownBy(() -> cell.acquire(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> cell.tryAcquire(-1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThat(cell.requests()).isZero();
    cell.acquire(Integer.MAX_VALUE);
    cell.acquire(Integer.MAX_VALUE);
    assertThat(cell.requests()).isEqualTo(2);
    assertThat(cell.tokens()).isEqualTo(2L * InFlightCounters.MAX_TOKENS_PER_REQUEST);
    cell.release(Integer.MAX_VALUE);
    cell.release(Integer.MAX_VALUE);
    assertThat(cell.requests()).isZero();
    assertThat(cell.tokens()).isZero();
  }

  @Test
  void requestsBeyondTheLimitAreNotCounted_andLeaveTheCountsAsTheyWere() {
    InFlightCounters.Cell cell = new InFlightCounters().allocate();
    for (int i = 0; i < InFlightCounters.MAX_REQUESTS; i++) {
      assertThat(cell.acquire(InFlightCounters.MAX_TOKENS_PER_REQUEST)).isTrue();
    }
    assertThat(cell.acquire(5)).isFalse();
    assertThat(cell.tryAcquire(5, Integer.MAX_VALUE)).isFalse();
    assertThat(cell.tryAcquire(5, InFlightCounters.MAX_REQUESTS)).isFalse();
    assertThat(cell.requests()).isEqualTo(InFlightCounters.MAX_REQUESTS);
    assertThat(cell.tokens())
        .isEqualTo((long) InFlightCounters.MAX_REQUESTS * InFlightCounters.MAX_TOKENS_PER_REQUEST);
    cell.release(InFlightCounters.MAX_TOKENS_PER_REQUEST);
    assertThat(cell.acquire(0)).isTrue();
    assertThat(cell.requests()).isEqualTo(InFlightCounters.MAX_REQUESTS);
  }

  @Test
  void liveCellsHaveDistinctSlots_acrossChunks() {
    InFlightCounters counters = new InFlightCounters();
    List<InFlightCounters.Cell> cells = new ArrayList<>();
    for (int i = 0; i < InFlightCounters.CHUNK_SLOTS * 2 + 3; i++) {
      cells.add(counters.allocate());
    }
    Map<long[], List<Integer>> offsets = new IdentityHashMap<>();
    for (InFlightCounters.Cell c : cells) {
      offsets.computeIfAbsent(c.counts, a -> new ArrayList<>()).add(c.index);
    }
    assertThat(offsets).hasSize(3);
    for (List<Integer> inChunk : offsets.values()) {
      assertThat(inChunk).doesNotHaveDuplicates();
    }
    // Counting on one cell leaves every other cell alone.
    cells.get(InFlightCounters.CHUNK_SLOTS).acquire(7);
    for (int i = 0; i < cells.size(); i++) {
      assertThat(cells.get(i).requests()).isEqualTo(i == InFlightCounters.CHUNK_SLOTS ? 1 : 0);
    }
    assertThat(counters.slotsInUse()).isEqualTo(cells.size());
  }

  @Test
  void aSlotIsReusedOnlyOnceItsCellIsUnreachable_andComesBackZeroed() throws Exception {
    assumeTrue(ExplicitGc.works(), "System.gc() is disabled in this JVM");
    InFlightCounters counters = new InFlightCounters();
    InFlightCounters.Cell kept = counters.allocate();
    InFlightCounters.Cell dropped = counters.allocate();
    long[] droppedArray = dropped.counts;
    int droppedOffset = dropped.index;
    // A guard that was never released: its counts must not leak into the next owner.
    dropped.acquire(40);
    InFlightCounters.Cell whileReachable = counters.allocate();
    assertThat(whileReachable.index).isNotEqualTo(droppedOffset);
    dropped = null;

    boolean reclaimed = false;
    for (int attempt = 0; attempt < 50 && !reclaimed; attempt++) {
      System.gc();
      reclaimed = counters.awaitReclaim(100);
    }
    assertThat(reclaimed).as("the dropped cell was collected").isTrue();
    assertThat(counters.slotsInUse()).isEqualTo(2);

    InFlightCounters.Cell reused = counters.allocate();
    assertThat(reused.counts).isSameAs(droppedArray);
    assertThat(reused.index).isEqualTo(droppedOffset);
    assertThat(reused.requests()).isZero();
    assertThat(reused.tokens()).isZero();
    assertThat(kept.requests()).isZero();
  }

  @Test
  void concurrentAcquiresAndReleasesOnNeighbouringSlotsLoseNothing() throws Exception {
    InFlightCounters counters = new InFlightCounters();
    int cellCount = 64;
    List<InFlightCounters.Cell> cells = new ArrayList<>();
    for (int i = 0; i < cellCount; i++) {
      cells.add(counters.allocate());
    }
    int threads = 8;
    int perThread = 300 * cellCount;
    // Phase one: every thread acquires on every cell in turn; the totals must be exact.
    Concurrently.run(threads, t -> {
      for (int i = 0; i < perThread; i++) {
        cells.get((t + i) % cellCount).acquire(3);
      }
    });
    long expectedPerCell = (long) threads * perThread / cellCount;
    for (InFlightCounters.Cell c : cells) {
      assertThat(c.requests()).isEqualTo((int) expectedPerCell);
      assertThat(c.tokens()).isEqualTo(3 * expectedPerCell);
    }
    // Phase two: release them all while other acquire-release pairs race on the same slots.
    Concurrently.run(threads, t -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int i = 0; i < perThread; i++) {
        cells.get((t + i) % cellCount).release(3);
        InFlightCounters.Cell other = cells.get(random.nextInt(cellCount));
        if (other.tryAcquire(5, Integer.MAX_VALUE)) {
          other.release(5);
        }
      }
    });
    for (InFlightCounters.Cell c : cells) {
      assertThat(c.requests()).isZero();
      assertThat(c.tokens()).isZero();
    }
  }
}
