package io.flexroute.core.strategy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The packed least-in-flight scan makes the same choice as the scan of the views. */
class CountedCandidatesTest {

  /** Sets a fresh cell to the counts with the cell's own operations. */
  static void set(InFlightCounters.Cell cell, int requests, long tokens) {
    assertThat(cell.requests()).isZero();
    assertThat(cell.tokens()).isZero();
    // One request with all the tokens, counted off again: the tokens stay, with no request.
    cell.acquire(Math.toIntExact(tokens));
    cell.release(0);
    for (int i = 0; i < requests; i++) {
      cell.acquire(0);
    }
  }

  /** Workers w0, w1, ... with the given (requests, tokens), their cells added to {@code cells}. */
  private static CountedCandidates fleet(List<InFlightCounters.Cell> cells, long[][] counts) {
    InFlightCounters counters = new InFlightCounters();
    List<WorkerView> views = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      InFlightCounters.Cell cell = counters.allocate();
      set(cell, (int) counts[i][0], counts[i][1]);
      cells.add(cell);
      views.add(FakeWorkerView.of("w" + i));
    }
    return new CountedCandidates(views, cells);
  }

  @Test
  void fastScansEqualGenericScan_forEveryStart_withTiesIdleWorkersAndAnySlotOrder() {
    SplittableRandom random = new SplittableRandom(7);
    InFlightCounters counters = new InFlightCounters();
    for (int n : new int[] {1, 2, 3, 16, 100, 300}) {
      for (int trial = 0; trial < 40; trial++) {
        List<FakeWorkerView> views = new ArrayList<>();
        List<InFlightCounters.Cell> cells = new ArrayList<>();
        // Few distinct values, so equal requests, equal tokens and idle workers are common;
        // every third trial has no idle worker at all.
        boolean busy = trial % 3 == 0;
        for (int i = 0; i < n; i++) {
          int requests = (busy ? 1 : 0) + random.nextInt(3);
          long tokens = 10L * random.nextInt(3);
          InFlightCounters.Cell cell = counters.allocate();
          set(cell, requests, tokens);
          cells.add(cell);
          views.add(FakeWorkerView.of("w" + i).setInFlight(requests).setInFlightTokens(tokens));
        }
        if (trial % 2 == 1) {
          // Slots out of list order, as after removals and reuse: the indexed scans.
          for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            java.util.Collections.swap(views, i, j);
            java.util.Collections.swap(cells, i, j);
          }
        }
        CountedCandidates counted = new CountedCandidates(views, cells);
        for (int start = 0; start < n; start++) {
          int expected = LeastInFlight.genericScan(views, start);
          assertThat(counted.leastInFlight(start)).as("n=%d start=%d", n, start)
              .isEqualTo(expected);
          assertThat(LeastInFlight.index(counted, start)).isEqualTo(expected);
          assertThat(LeastInFlight.index(List.copyOf(counted), start)).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void ties_goToTheFirstScannedFromTheStart_andTokensBreakEqualRequests() {
    CountedCandidates counted = fleet(new ArrayList<>(), new long[][] {
        {2, 50}, {1, 30}, {1, 20}, {1, 20}, {3, 0}});
    assertThat(counted.leastInFlight(0)).isEqualTo(2);
    assertThat(counted.leastInFlight(3)).isEqualTo(3);
    assertThat(counted.leastInFlight(4)).isEqualTo(2);
  }

  @Test
  void theScanFollowsCountsAsTheyChange() {
    InFlightCounters counters = new InFlightCounters();
    List<InFlightCounters.Cell> cells = List.of(counters.allocate(), counters.allocate());
    CountedCandidates counted =
        new CountedCandidates(List.of(FakeWorkerView.of("a"), FakeWorkerView.of("b")), cells);
    cells.get(0).acquire(1);
    assertThat(counted.leastInFlight(0)).isEqualTo(1);
    cells.get(1).acquire(1);
    cells.get(1).acquire(1);
    assertThat(counted.leastInFlight(0)).isEqualTo(0);
  }

  @Test
  void without_dropsTheGivenWorkers_andScansTheRestPacked() {
    List<InFlightCounters.Cell> cells = new ArrayList<>();
    CountedCandidates counted = fleet(cells, new long[][] {{1, 0}, {0, 0}, {2, 5}, {1, 3}});
    assertThat(counted.without(java.util.Set.of("nobody"))).isSameAs(counted);

    CountedCandidates rest = counted.without(java.util.Set.of("w1"));
    assertThat(rest).extracting(WorkerView::id).containsExactly("w0", "w2", "w3");
    // The idle w1 is gone: the fewest requests, then tokens, is w0 (1, 0) from any start.
    for (int start = 0; start < rest.size(); start++) {
      assertThat(rest.leastInFlight(start)).isEqualTo(0);
    }
    // Counts still come from the shared cells.
    cells.get(0).acquire(0);
    cells.get(0).acquire(0);
    assertThat(rest.get(rest.leastInFlight(0)).id()).isEqualTo("w3");
  }

  @Test
  void isAnImmutableListOfTheViews() {
    List<WorkerView> views = List.of(FakeWorkerView.of("a"), FakeWorkerView.of("b"));
    InFlightCounters counters = new InFlightCounters();
    CountedCandidates counted =
        new CountedCandidates(views, List.of(counters.allocate(), counters.allocate()));
    assertThat(counted).isEqualTo(views);
    assertThatThrownBy(() -> counted.add(FakeWorkerView.of("c")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsBadInputWithTheFieldNamed() {
    List<WorkerView> views = List.of(FakeWorkerView.of("a"));
    assertThatThrownBy(() -> new CountedCandidates(views, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cells");
    assertThatThrownBy(() -> new CountedCandidates(null, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("views");
    CountedCandidates counted =
        new CountedCandidates(views, List.of(new InFlightCounters().allocate()));
    assertThatThrownBy(() -> counted.leastInFlight(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start");
    assertThatThrownBy(() -> LeastInFlight.genericScan(views, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start");
  }
}
