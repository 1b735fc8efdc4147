package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.flexroute.GenerateRequest;
import io.flexroute.Worker;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Shortest estimated time to first token, FlexLB style. */
class ShortestTtftStrategyTest {

  private static final String LONG = "You are a helpful agent with many tools. ".repeat(50);

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private ShortestTtftConfig.Builder config() {
    return ShortestTtftConfig.builder().ticker(clock::get);
  }

  private static FakeRequestView text(String prompt) {
    return FakeRequestView.text(prompt);
  }

  private static RequestView withId(String prompt, String id) {
    return new FakeRequestView(GenerateRequest.builder().text(prompt).requestId(id).build(), false);
  }

  @Test
  void prefersTheWorkerThatWasSentThePrefix() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    FakeRequestView first = text(LONG + "first question");
    WorkerView home = s.select(first, fleet).worker();
    s.onComplete(ClosedLoop.success(first, home, Duration.ofMillis(10)));

    for (int i = 0; i < 5; i++) {
      FakeRequestView next = text(LONG + "question " + i);
      WorkerView chosen = s.select(next, fleet).worker();
      assertThat(chosen).isSameAs(home);
      s.onComplete(ClosedLoop.success(next, chosen, Duration.ofMillis(10)));
    }
  }

  @Test
  void aSampleCoveringEveryCandidate_creditsEachCachedPrefixToItsHolder() {
    // Above a scan limit of 4, five candidates are sampled (prefix holders first, then random
    // draws); 32 draws cover all five, in another order than the list's.
    List<WorkerView> fleet = ClosedLoop.fleet(5);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().exactScanLimit(4).build());
    for (int conversation = 0; conversation < 10; conversation++) {
      String system = ("Conversation " + conversation + " system prompt. ").repeat(60);
      FakeRequestView first = text(system + "turn 0");
      WorkerView home = s.select(first, fleet).worker();
      s.onComplete(ClosedLoop.success(first, home, Duration.ofMillis(10)));

      FakeRequestView next = text(system + "turn 1");
      WorkerView chosen = s.select(next, fleet).worker();
      s.onComplete(ClosedLoop.success(next, chosen, Duration.ofMillis(10)));

      assertThat(chosen).as("conversation %d", conversation).isSameAs(home);
    }
  }

  @Test
  void queuedWorkMovesRequestsElsewhere() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    WorkerView home = s.select(text(LONG + "a"), fleet).worker();
    // Requests that never finish pile work on the home worker: sooner or later the other worker's
    // uncached prefill is shorter than the queue.
    Set<String> chosen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      chosen.add(s.select(text(LONG + "b" + i), fleet).worker().id());
    }
    assertThat(chosen).hasSize(2);
    assertThat(s.queuedWork(home.id())).isPositive();
  }

  private static FakeRequestView distinctTokens(int base, int length) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = base + i;
    }
    return FakeRequestView.tokens(ids);
  }

  @Test
  void queuedPrefillsRunOneAfterAnotherAndDrainAsTimePasses() {
    List<WorkerView> one = ClosedLoop.fleet(1);
    String id = one.get(0).id();
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().prefillRate(1_000).build());
    // Two uncached 1,000-token prompts at once: the second waits for the first, 2 s in all.
    s.select(distinctTokens(0, 1_000), one);
    s.select(distinctTokens(10_000, 1_000), one);
    assertThat(s.queuedWork(id)).isCloseTo(2_000, offset(1.0));
    clock.addAndGet(Duration.ofMillis(500).toNanos());
    assertThat(s.queuedWork(id)).isCloseTo(1_500, offset(1.0));
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(s.queuedWork(id)).isZero();
    // Both requests are still decoding (never completed), yet an idle queue starts a new prefill
    // now, not at the end of the old queue.
    assertThat(s.pendingRequests()).isEqualTo(2);
    s.select(distinctTokens(20_000, 1_000), one);
    assertThat(s.queuedWork(id)).isCloseTo(1_000, offset(1.0));
  }

  @Test
  void aCachedPrefixIsNotQueuedAsPrefill_onlyTheUncachedTokensAre() {
    List<WorkerView> one = ClosedLoop.fleet(1);
    String id = one.get(0).id();
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().prefillRate(1_000).build());
    s.select(distinctTokens(0, 1_000), one);
    clock.addAndGet(Duration.ofSeconds(5).toNanos());
    assertThat(s.queuedWork(id)).isZero();
    // The next turn: the 1,000 tokens sent before plus 200 new ones. The worker computes only the
    // 200; the 0.7 discount is the choice's hedge, not work the queue should hold (charging 30%
    // of every cached prefix would grow queues on exactly the workers holding conversations).
    s.select(distinctTokens(0, 1_200), one);
    assertThat(s.queuedWork(id)).isCloseTo(200, offset(1.0));
  }

  @Test
  void aRequestThatCompletesBeforeItsPrefillIsEstimatedDoneTakesTheRestOutOfTheQueue() {
    List<WorkerView> one = ClosedLoop.fleet(1);
    String id = one.get(0).id();
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().prefillRate(1_000).build());
    RequestView failed = distinctTokens(0, 1_000);
    s.select(failed, one);
    s.select(distinctTokens(10_000, 1_000), one);
    clock.addAndGet(Duration.ofMillis(400).toNanos());
    // The first request fails 0.4 s into its estimated 1 s prefill: its 0.6 s left go.
    s.onComplete(ClosedLoop.success(failed, one.get(0), Duration.ofMillis(400)));
    assertThat(s.queuedWork(id)).isCloseTo(1_000, offset(1.0));
  }

  @Test
  void longDecodesDoNotPushAConversationAwayFromItsPrefix() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    WorkerView home = s.select(text(LONG + "turn 0"), fleet).worker();
    // Each turn's prefill is done within a second; the requests keep decoding (never complete),
    // which must not count as queued prefill.
    for (int i = 1; i <= 20; i++) {
      clock.addAndGet(Duration.ofSeconds(1).toNanos());
      assertThat(s.select(text(LONG + "turn " + i), fleet).worker()).isSameAs(home);
    }
    assertThat(s.pendingRequests()).isEqualTo(21);
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(s.queuedWork(home.id())).isZero();
  }

  @Test
  void aWorkerAboveTheLoadBoundIsPassedOverEvenThoughItHoldsThePrefix() {
    for (boolean bounded : new boolean[] {true, false}) {
      List<WorkerView> fleet = ClosedLoop.fleet(4);
      ShortestTtftConfig.Builder b = config();
      if (!bounded) {
        b.loadFactor(Double.POSITIVE_INFINITY);
      }
      ShortestTtftStrategy s = new ShortestTtftStrategy(b.build());
      FakeRequestView first = text(LONG + "turn 0");
      FakeWorkerView home = (FakeWorkerView) s.select(first, fleet).worker();
      s.onComplete(ClosedLoop.success(first, home, Duration.ofMillis(10)));
      // Home decodes 4 requests, the others none: 4 is not below ceil(1.25 * (4 + 1) / 4) = 2.
      home.setInFlight(4);

      WorkerView chosen = s.select(text(LONG + "turn 1"), fleet).worker();

      if (bounded) {
        assertThat(chosen).as("bounded").isNotSameAs(home);
      } else {
        assertThat(chosen).as("unbounded").isSameAs(home);
      }
    }
  }

  @Test
  void underTheLoadBoundTheCachedPrefixStillWins() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    FakeRequestView first = text(LONG + "turn 0");
    FakeWorkerView home = (FakeWorkerView) s.select(first, fleet).worker();
    s.onComplete(ClosedLoop.success(first, home, Duration.ofMillis(10)));
    for (WorkerView w : fleet) {
      ((FakeWorkerView) w).setInFlight(3);
    }
    // Home has one more than the others: 4 is below ceil(1.25 * (13 + 1) / 4) = 5.
    home.setInFlight(4);

    assertThat(s.select(text(LONG + "turn 1"), fleet).worker()).isSameAs(home);
  }

  @Test
  void rejectsALoadFactorBelowOne() {
    assertThatThrownBy(() -> ShortestTtftConfig.builder().loadFactor(0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loadFactor");
    assertThatThrownBy(() -> ShortestTtftConfig.builder().loadFactor(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ShortestTtftConfig.defaults().loadFactor())
        .isEqualTo(ShortestTtftConfig.DEFAULT_LOAD_FACTOR);
  }

  @Test
  void aFreshReportCorrectsTheVirtualQueue() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    FakeWorkerView home = (FakeWorkerView) fleet.get(0);
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().prefillRate(1_000).build());
    // A rate set far too low builds a long virtual queue on the home worker...
    for (int i = 0; i < 20; i++) {
      s.select(text(LONG + "warm-up " + i), List.of(home));
    }
    assertThat(s.select(text(LONG + "probe 1"), fleet).worker().id()).isEqualTo("w1");
    // ...which a report of nothing waiting, taken after those requests, clears.
    home.setReportedLoad(new WorkerLoad(21, 0, 0.2, clock.get()));
    assertThat(s.select(text(LONG + "probe 2"), fleet).worker()).isSameAs(home);
    // And requests the worker reports waiting (from other routers too) count as queued prefill.
    clock.addAndGet(Duration.ofMillis(1).toNanos());
    home.setReportedLoad(new WorkerLoad(21, 40, 0.2, clock.get()));
    assertThat(s.select(text(LONG + "probe 3"), fleet).worker().id()).isEqualTo("w1");
  }

  @Test
  void theLedgerEmptiesWhenRequestsComplete() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    List<RequestView> requests = new ArrayList<>();
    List<WorkerView> workers = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      RequestView r = text("prompt " + i + " ".repeat(i * 10));
      requests.add(r);
      workers.add(s.select(r, fleet).worker());
    }
    assertThat(s.pendingRequests()).isEqualTo(30);
    for (int i = 0; i < requests.size(); i++) {
      s.onComplete(ClosedLoop.success(requests.get(i), workers.get(i), Duration.ofMillis(1)));
    }
    assertThat(s.pendingRequests()).isZero();
    for (WorkerView w : fleet) {
      assertThat(s.queuedWork(w.id())).isZero();
    }
  }

  @Test
  void aRetryReplacesItsEarlierAttemptAndALateReportOfItIsIgnored() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    RequestView request = withId(LONG, "req-1");
    WorkerView first = s.select(request, fleet).worker();
    // The router retries on the other worker (the first one is excluded).
    WorkerView other = fleet.get(0) == first ? fleet.get(1) : fleet.get(0);
    WorkerView second = s.select(request, List.of(other)).worker();
    assertThat(second).isSameAs(other);
    assertThat(s.pendingRequests()).isEqualTo(1);
    assertThat(s.queuedWork(first.id())).isZero();

    s.onComplete(ClosedLoop.success(request, first, Duration.ofMillis(1)));
    assertThat(s.queuedWork(other.id())).isPositive();
    s.onComplete(ClosedLoop.success(request, other, Duration.ofMillis(1)));
    assertThat(s.queuedWork(other.id())).isZero();
    assertThat(s.pendingRequests()).isZero();
  }

  @Test
  void aChoiceTheWorkerRefused_leavesTheLedgerWhenTheRequestIsRoutedAgain() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    FakeRequestView request = text(LONG + "refused");
    WorkerView refused = s.select(request, fleet).worker();
    assertThat(s.queuedWork(refused.id())).isPositive();
    // The chosen worker is at its concurrency limit: the router chooses again without it, with a
    // view of the same request that names it.
    WorkerView other = fleet.get(0) == refused ? fleet.get(1) : fleet.get(0);
    s.select(request.excluding(refused), List.of(other));

    assertThat(s.pendingRequests()).isEqualTo(1);
    assertThat(s.queuedWork(refused.id())).isZero();
  }

  @Test
  void twoRequestsThatShareAnId_keepTheirOwnWorkInTheLedger() {
    List<WorkerView> fleet = ClosedLoop.fleet(1);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    RequestView a = withId(LONG + "a", "dup");
    RequestView b = withId(LONG + "b", "dup");
    WorkerView w = s.select(a, fleet).worker();
    double one = s.queuedWork(w.id());
    s.select(b, fleet);
    assertThat(s.pendingRequests()).isEqualTo(2);
    assertThat(s.queuedWork(w.id())).isGreaterThan(one);

    s.onComplete(ClosedLoop.success(a, w, Duration.ofMillis(1)));

    assertThat(s.pendingRequests()).isEqualTo(1);
    assertThat(s.queuedWork(w.id())).isPositive();
    s.onComplete(ClosedLoop.success(b, w, Duration.ofMillis(1)));
    assertThat(s.pendingRequests()).isZero();
    assertThat(s.queuedWork(w.id())).isZero();
  }

  @Test
  void aFreshReportOfForeignWorkCountsAndAStaleOneDoesNot() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().maxReportAge(Duration.ofSeconds(5)).build());
    FakeWorkerView busy = (FakeWorkerView) fleet.get(0);
    busy.setReportedLoad(new WorkerLoad(20, 10, 0.5, clock.get()));
    for (int i = 0; i < 5; i++) {
      RequestView r = text("question " + i);
      WorkerView w = s.select(r, fleet).worker();
      assertThat(w.id()).isEqualTo("w1");
      s.onComplete(ClosedLoop.success(r, w, Duration.ofMillis(1)));
    }
    clock.addAndGet(Duration.ofSeconds(6).toNanos());
    Set<String> chosen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      RequestView r = text("other question " + i);
      WorkerView w = s.select(r, fleet).worker();
      chosen.add(w.id());
      s.onComplete(ClosedLoop.success(r, w, Duration.ofMillis(1)));
    }
    assertThat(chosen).contains("w0");
  }

  @Test
  void nearlyEqualWorkersAreTakenLeastRecentlySelectedFirst() {
    List<WorkerView> fleet = ClosedLoop.fleet(10);
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().poolRatio(1.0).similarityRatio(10).build());
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      RequestView r = text("q" + i);
      WorkerView w = s.select(r, fleet).worker();
      order.add(w.id());
      s.onComplete(ClosedLoop.success(r, w, Duration.ofMillis(1)));
    }
    // Every worker once before any twice, then the same cycle again.
    assertThat(new HashSet<>(order.subList(0, 10))).hasSize(10);
    assertThat(order.subList(10, 20)).isEqualTo(order.subList(0, 10));
  }

  @Test
  void fasterWorkersTakeMoreWork() {
    List<WorkerView> fleet = new ArrayList<>();
    fleet.add(new FakeWorkerView(Worker.builder("fast", "http://fast.invalid:1").weight(4).build()));
    fleet.add(new FakeWorkerView(Worker.builder("slow", "http://slow.invalid:1").weight(1).build()));
    fleet = List.copyOf(fleet);
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().prefillRate(w -> 2_000.0 * w.weight()).build());
    ClosedLoop.Stats stats =
        ClosedLoop.run(s, fleet, i -> text("distinct prompt " + i + " ".repeat(200)), 2_000, 10, 5);
    assertThat(stats.served().get("fast")).isGreaterThan(2 * stats.served().get("slow"));
  }

  @Test
  void requestsSharingOneSystemPromptDoNotCollapseOntoOneWorker() {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    ClosedLoop.Stats stats =
        ClosedLoop.run(s, fleet, i -> text(LONG + "user: question " + i), 4_000, 32, 9);
    assertThat(stats.served()).hasSize(8);
    assertThat(stats.meanImbalance()).isLessThan(1.6);
  }

  @Test
  void requestsThatNeverCompleteLeaveTheLedgerAfterTheTimeout() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(config().ledgerTimeout(Duration.ofSeconds(1)).build());
    s.select(text("lost request"), fleet);
    assertThat(s.pendingRequests()).isEqualTo(1);
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    for (int i = 0; i < 5_000; i++) {
      RequestView r = text("q" + i);
      WorkerView w = s.select(r, fleet).worker();
      s.onComplete(ClosedLoop.success(r, w, Duration.ofMillis(1)));
    }
    assertThat(s.pendingRequests()).isZero();
    for (WorkerView w : fleet) {
      assertThat(s.queuedWork(w.id())).isZero();
    }
  }

  @Test
  void largeFleetsAreSampled() {
    List<WorkerView> fleet = ClosedLoop.fleet(2_000);
    ShortestTtftStrategy s = new ShortestTtftStrategy(config().build());
    ClosedLoop.Stats stats =
        ClosedLoop.run(s, fleet, i -> text("prompt " + i), 10_000, 1_000, 1);
    assertThat(stats.served().size()).isGreaterThan(1_000);
  }

  @Test
  void manyThreadsSelectingAtOnceSpreadAndLeaveAnEmptyLedger() throws Exception {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    ShortestTtftStrategy s = new ShortestTtftStrategy();
    int threads = 8;
    Map<String, Integer> served = new ConcurrentHashMap<>();
    Concurrently.run(
        threads,
        id -> {
          for (int i = 0; i < 5_000; i++) {
            RequestView r =
                text(LONG + ("thread " + id + " request " + i + ". ").repeat(60));
            WorkerView w = s.select(r, fleet).worker();
            assertThat(fleet).contains(w);
            served.merge(w.id(), 1, Integer::sum);
            s.onComplete(ClosedLoop.success(r, w, Duration.ofMillis(1)));
          }
        });
    // Each request brings as much uncached prompt as the shared prefix is long, so the prefills in
    // flight at once queue up on the workers holding the prefix and concurrent requests spread
    // instead of all claiming the same one.
    assertThat(served.size()).isGreaterThan(1);
    assertThat(served.values()).allSatisfy(c -> assertThat(c).isLessThan(40_000 * 6 / 10));
    assertThat(s.pendingRequests()).isZero();
  }
}
