package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.Worker;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Distribution and thread safety of the basic strategies. */
class BasicStrategiesTest {

  private static final RequestView REQUEST = FakeRequestView.text("hello");

  private static Map<String, Integer> pick(RoutingStrategy s, List<WorkerView> fleet, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      WorkerView w = s.select(REQUEST, fleet).worker();
      counts.merge(w.id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobin_visitsEveryWorkerEqually() {
    List<WorkerView> fleet = FakeWorkerView.fleet(4);
    Map<String, Integer> counts = pick(new RoundRobinStrategy(), fleet, 400);
    assertThat(counts).containsOnlyKeys("w0", "w1", "w2", "w3");
    assertThat(counts.values()).containsOnly(100);
  }

  @Test
  void roundRobin_goesInOrder() {
    List<WorkerView> fleet = FakeWorkerView.fleet(3);
    RoundRobinStrategy s = new RoundRobinStrategy();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      order.add(s.select(REQUEST, fleet).worker().id());
    }
    assertThat(order).containsExactly("w0", "w1", "w2", "w0", "w1", "w2");
  }

  @Test
  void roundRobin_keepsOneRotationPerCandidateList_soInterleavedModelsDoNotSkew() {
    // Two models on two workers each, their requests alternating: each model must still use both
    // of its workers in turn (one shared counter would send every request of a model to one).
    List<WorkerView> modelA = List.copyOf(FakeWorkerView.fleet(2));
    List<WorkerView> modelB = List.of(FakeWorkerView.of("b0"), FakeWorkerView.of("b1"));
    RoundRobinStrategy s = new RoundRobinStrategy();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      counts.merge(s.select(REQUEST, modelA).worker().id(), 1, Integer::sum);
      counts.merge(s.select(REQUEST, modelB).worker().id(), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("w0", "w1", "b0", "b1");
    assertThat(counts.values()).containsOnly(50);
  }

  @Test
  void roundRobin_aShortLivedListDoesNotAlwaysStartAtItsFirstWorker() {
    RoundRobinStrategy s = new RoundRobinStrategy();
    Map<String, Integer> firstPicks = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      // A new list each time, as a retry's list without the failed workers is.
      List<WorkerView> retryList = List.of(FakeWorkerView.of("x0"), FakeWorkerView.of("x1"));
      firstPicks.merge(s.select(REQUEST, retryList).worker().id(), 1, Integer::sum);
    }
    assertThat(firstPicks).containsEntry("x0", 20).containsEntry("x1", 20);
  }

  @Test
  void random_isRoughlyUniform() {
    List<WorkerView> fleet = FakeWorkerView.fleet(4);
    Map<String, Integer> counts = pick(new RandomStrategy(), fleet, 40_000);
    // Expected 10,000 each; 6 standard deviations (~520) keeps the test deterministic in practice.
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(9_000, 11_000));
  }

  @Test
  void leastInFlight_picksTheMinimum() {
    List<WorkerView> fleet = FakeWorkerView.fleet(5);
    int[] loads = {4, 2, 7, 1, 3};
    for (int i = 0; i < loads.length; i++) {
      ((FakeWorkerView) fleet.get(i)).setInFlight(loads[i]);
    }
    assertThat(pick(new LeastInFlightStrategy(), fleet, 100)).containsOnlyKeys("w3");
  }

  @Test
  void leastInFlight_breaksTiesByTokensThenSpreads() {
    List<WorkerView> fleet = FakeWorkerView.fleet(4);
    ((FakeWorkerView) fleet.get(2)).setInFlightTokens(100);
    Map<String, Integer> counts = pick(new LeastInFlightStrategy(), fleet, 3_000);
    assertThat(counts).doesNotContainKey("w2");
    // Ties among the rest do not all go to the first worker.
    assertThat(counts).containsKeys("w0", "w1", "w3");
  }

  @Test
  void leastInFlight_stopsOnlyAtATrulyIdleWorker() {
    List<WorkerView> fleet = FakeWorkerView.fleet(6);
    int[] loads = {3, 0, 5, 0, 2, 0};
    long[] tokens = {0, 40, 0, 0, 0, 0};
    for (int i = 0; i < loads.length; i++) {
      ((FakeWorkerView) fleet.get(i)).setInFlight(loads[i]).setInFlightTokens(tokens[i]);
    }
    Map<String, Integer> counts = pick(new LeastInFlightStrategy(), fleet, 3_000);
    // w1 has no requests but tokens in flight, so it never beats the idle w3 and w5; both idle
    // workers share the picks.
    assertThat(counts).containsOnlyKeys("w3", "w5");
  }

  @Test
  void leastInFlight_withRouterLikeAccounting_staysBalanced() {
    List<WorkerView> fleet = FakeWorkerView.fleet(8);
    LeastInFlightStrategy s = new LeastInFlightStrategy();
    for (int i = 0; i < 80; i++) {
      ((FakeWorkerView) s.select(REQUEST, fleet).worker()).addInFlight(1);
    }
    assertThat(fleet).allSatisfy(w -> assertThat(w.inFlightRequests()).isEqualTo(10));
  }

  @Test
  void powerOfTwo_neverPicksTheBusierOfTwo() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    ((FakeWorkerView) fleet.get(0)).setInFlight(5);
    assertThat(pick(new PowerOfTwoStrategy(), fleet, 200)).containsOnlyKeys("w1");
  }

  @Test
  void powerOfTwo_avoidsTheBusiestWorkerAndSpreadsLoad() {
    List<WorkerView> fleet = FakeWorkerView.fleet(10);
    ((FakeWorkerView) fleet.get(7)).setInFlight(1_000);
    Map<String, Integer> counts = pick(new PowerOfTwoStrategy(), fleet, 10_000);
    assertThat(counts).doesNotContainKey("w7");
    assertThat(counts).hasSize(9);
  }

  @Test
  void powerOfTwo_withRouterLikeAccounting_keepsMaxNearMean() {
    List<WorkerView> fleet = FakeWorkerView.fleet(16);
    PowerOfTwoStrategy s = new PowerOfTwoStrategy();
    for (int i = 0; i < 1_600; i++) {
      ((FakeWorkerView) s.select(REQUEST, fleet).worker()).addInFlight(1);
    }
    int max = fleet.stream().mapToInt(WorkerView::inFlightRequests).max().orElseThrow();
    assertThat(max).isLessThanOrEqualTo(100 + 5);
  }

  private static List<WorkerView> weighted(int... weights) {
    List<WorkerView> fleet = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      fleet.add(
          new FakeWorkerView(
              Worker.builder("w" + i, "http://w" + i + ".invalid:1").weight(weights[i]).build()));
    }
    return List.copyOf(fleet);
  }

  @Test
  void weightedRoundRobin_followsWeightsExactlyPerCycle() {
    List<WorkerView> fleet = weighted(5, 1, 1);
    Map<String, Integer> counts = pick(new WeightedRoundRobinStrategy(), fleet, 700);
    assertThat(counts).containsEntry("w0", 500).containsEntry("w1", 100).containsEntry("w2", 100);
  }

  @Test
  void weightedRoundRobin_followsWeightsPerCandidateList_whenListsInterleave() {
    List<WorkerView> modelA = weighted(3, 1);
    List<WorkerView> modelB = weighted(1, 1);
    WeightedRoundRobinStrategy s = new WeightedRoundRobinStrategy();
    Map<String, Integer> a = new HashMap<>();
    Map<String, Integer> b = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      a.merge(s.select(REQUEST, modelA).worker().id(), 1, Integer::sum);
      b.merge(s.select(REQUEST, modelB).worker().id(), 1, Integer::sum);
    }
    assertThat(a).containsEntry("w0", 30).containsEntry("w1", 10);
    assertThat(b).containsEntry("w0", 20).containsEntry("w1", 20);
  }

  @Test
  void weightedRoundRobin_isSmooth() {
    List<WorkerView> fleet = weighted(5, 1, 1);
    WeightedRoundRobinStrategy s = new WeightedRoundRobinStrategy();
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      seq.append(s.select(REQUEST, fleet).worker().id().charAt(1));
    }
    // nginx's smooth sequence for weights {5, 1, 1}: the heavy worker never runs 5 times in a row.
    assertThat(seq.toString()).isEqualTo("0010200");
  }

  @Test
  void weightedRoundRobin_zeroWeightGetsNothingUnlessAllZero() {
    assertThat(pick(new WeightedRoundRobinStrategy(), weighted(0, 3), 30))
        .containsOnlyKeys("w1");
    assertThat(pick(new WeightedRoundRobinStrategy(), weighted(0, 0), 30))
        .containsEntry("w0", 15)
        .containsEntry("w1", 15);
  }

  @Test
  void weightedRoundRobin_hugeWeightsFallBackToLiveAlgorithm() {
    List<WorkerView> fleet = weighted(100_000, 99_999);
    Map<String, Integer> counts = pick(new WeightedRoundRobinStrategy(), fleet, 199_999);
    assertThat(counts).containsEntry("w0", 100_000).containsEntry("w1", 99_999);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"round_robin", "random", "least_inflight", "power_of_two", "weighted_round_robin"})
  void concurrentSelection_isSafeAndAlwaysReturnsACandidate(String name) throws Exception {
    RoutingStrategy s = strategy(name);
    List<WorkerView> fleet = List.copyOf(FakeWorkerView.fleet(16));
    int threads = 8;
    int perThread = 20_000;
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    Concurrently.run(
        threads,
        id -> {
          for (int i = 0; i < perThread; i++) {
            WorkerView w = s.select(REQUEST, fleet).worker();
            assertThat(fleet).contains(w);
            counts.computeIfAbsent(w.id(), k -> new AtomicInteger()).incrementAndGet();
          }
        });
    int total = counts.values().stream().mapToInt(AtomicInteger::get).sum();
    assertThat(total).isEqualTo(threads * perThread);
    if (name.equals("round_robin") || name.equals("weighted_round_robin")) {
      // Counters are shared atomics: concurrency must not skew the rotation at all.
      assertThat(counts.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(10_000));
    } else {
      assertThat(counts).hasSize(16);
    }
  }

  static RoutingStrategy strategy(String name) {
    return switch (name) {
      case "round_robin" -> new RoundRobinStrategy();
      case "random" -> new RandomStrategy();
      case "least_inflight" -> new LeastInFlightStrategy();
      case "power_of_two" -> new PowerOfTwoStrategy();
      case "weighted_round_robin" -> new WeightedRoundRobinStrategy();
      default -> throw new IllegalArgumentException(name);
    };
  }
}
