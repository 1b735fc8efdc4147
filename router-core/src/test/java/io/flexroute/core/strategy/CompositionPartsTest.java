package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.RequestOutcome;
import io.flexroute.core.strategy.internal.PrefixTree;
import io.flexroute.spi.Choice;
import io.flexroute.spi.CompositeStrategy;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerFilter;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerPicker;
import io.flexroute.spi.WorkerScorer;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The composition SPI and the built-in parts, each on its own and together. */
class CompositionPartsTest {

  private static final RequestView REQUEST = FakeRequestView.text("hello");

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private static FakeWorkerView at(List<WorkerView> fleet, int i) {
    return (FakeWorkerView) fleet.get(i);
  }

  private WorkerLoad kv(double usage) {
    return new WorkerLoad(0, 0, usage, clock.get());
  }

  /** A scorer that gives fixed scores by candidate position. */
  private static WorkerScorer fixed(String name, double... values) {
    return new WorkerScorer() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void score(RequestView request, List<WorkerView> candidates, double[] scores) {
        for (int i = 0; i < candidates.size(); i++) {
          scores[i] = values[i];
        }
      }
    };
  }

  // ------------------------------------------------------------------ composite

  @Test
  void composite_sumsWeightedScoresAndPicksTheHighest() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    CompositeStrategy s =
        CompositeStrategy.builder("test")
            .scorer(fixed("a", 1.0, 0.0, 0.5), 1.0)
            .scorer(fixed("b", 0.0, 1.0, 0.5), 3.0)
            .build();
    // Totals: 1.0, 3.0, 2.0.
    assertThat(s.select(REQUEST, fleet).worker().id()).isEqualTo("w1");
  }

  @Test
  void composite_clampsScoresAndCountsNaNAsZero() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    CompositeStrategy s =
        CompositeStrategy.builder("test")
            .scorer(fixed("wild", Double.NaN, 7.0, -3.0), 1.0)
            .scorer(fixed("tie", 0.0, 0.0, 0.9), 1.0)
            .build();
    // Clamped: 0, 1, 0 plus 0, 0, 0.9.
    assertThat(s.select(REQUEST, fleet).worker().id()).isEqualTo("w1");
  }

  @Test
  void composite_filtersRunInOrderAndAnEmptyResultNamesTheFilter() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    WorkerFilter dropFirst =
        new WorkerFilter() {
          @Override
          public String name() {
            return "drop_first";
          }

          @Override
          public List<WorkerView> filter(RequestView request, List<WorkerView> candidates) {
            return candidates.subList(1, candidates.size());
          }
        };
    CompositeStrategy twoFilters =
        CompositeStrategy.builder("t").filter(dropFirst).filter(dropFirst).build();
    assertThat(twoFilters.select(REQUEST, fleet).worker().id()).isEqualTo("w2");

    CompositeStrategy threeFilters =
        CompositeStrategy.builder("t").filter(dropFirst).filter(dropFirst).filter(dropFirst)
            .build();
    Choice none = threeFilters.select(REQUEST, fleet);
    assertThat(none.worker()).isNull();
    assertThat(none.reason()).contains("drop_first");
  }

  @Test
  void composite_tellsEveryPartEvenWhenOneThrows() {
    List<String> heard = new ArrayList<>();
    WorkerScorer throwing =
        new WorkerScorer() {
          @Override
          public String name() {
            return "throwing";
          }

          @Override
          public void score(RequestView request, List<WorkerView> candidates, double[] scores) {}

          @Override
          public void onSelected(RequestView request, WorkerView chosen) {
            throw new IllegalStateException("selected");
          }

          @Override
          public void onComplete(RequestFeedback feedback) {
            throw new IllegalStateException("completed");
          }
        };
    WorkerScorer listening =
        new WorkerScorer() {
          @Override
          public String name() {
            return "listening";
          }

          @Override
          public void score(RequestView request, List<WorkerView> candidates, double[] scores) {}

          @Override
          public void onSelected(RequestView request, WorkerView chosen) {
            heard.add("selected " + chosen.id());
          }

          @Override
          public void onComplete(RequestFeedback feedback) {
            heard.add("completed " + feedback.worker().id());
          }
        };
    CompositeStrategy s =
        CompositeStrategy.builder("t").scorer(throwing, 1).scorer(listening, 1).build();
    List<WorkerView> one = ClosedLoop.fleet(1);
    assertThatThrownBy(() -> s.select(REQUEST, one)).hasMessage("selected");
    assertThatThrownBy(
            () ->
                s.onComplete(
                    new RequestFeedback(
                        REQUEST, one.get(0), RequestOutcome.SUCCESS, Duration.ofMillis(1), null,
                        null)))
        .hasMessage("completed");
    assertThat(heard).containsExactly("selected w0", "completed w0");
  }

  @Test
  void composite_rejectsBadInput() {
    assertThatThrownBy(() -> CompositeStrategy.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    CompositeStrategy.Builder b = CompositeStrategy.builder("t");
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> b.scorer(fixed("s", 1), bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("weight");
    }
  }

  @Test
  void highestScorePicker_spreadsTies() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    Map<String, Integer> counts = new HashMap<>();
    double[] scores = {0.5, 1.0, 1.0, 1.0};
    for (int i = 0; i < 3_000; i++) {
      counts.merge(WorkerPicker.highestScore().pick(REQUEST, fleet, scores).id(), 1,
          Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("w1", "w2", "w3");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(800, 1_200));
  }

  @Test
  void weightedRandomPicker_drawsInProportion() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    Map<String, Integer> counts = new HashMap<>();
    double[] scores = {1.0, 3.0, 0.0};
    for (int i = 0; i < 8_000; i++) {
      counts.merge(WorkerPicker.weightedRandom().pick(REQUEST, fleet, scores).id(), 1,
          Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("w0", "w1");
    assertThat(counts.get("w1")).isBetween(5_600, 6_400);
    // All zero: uniform.
    double[] zeros = {0, 0, 0};
    Map<String, Integer> uniform = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      uniform.merge(WorkerPicker.weightedRandom().pick(REQUEST, fleet, zeros).id(), 1,
          Integer::sum);
    }
    assertThat(uniform).hasSize(3);
  }

  // ------------------------------------------------------------------ scorers

  @Test
  void inFlightLoadScorer_normalisesBetweenTheLeastAndMostLoaded() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    at(fleet, 0).setInFlight(2);
    at(fleet, 1).setInFlight(6);
    at(fleet, 2).setInFlight(4);
    double[] scores = new double[3];
    new InFlightLoadScorer().score(REQUEST, fleet, scores);
    assertThat(scores).containsExactly(1.0, 0.0, 0.5);
    at(fleet, 1).setInFlight(2);
    at(fleet, 2).setInFlight(2);
    new InFlightLoadScorer().score(REQUEST, fleet, scores);
    assertThat(scores).containsExactly(1.0, 1.0, 1.0);
  }

  @Test
  void kvUsageScorer_scoresFreeCacheAndIsNeutralWithoutAFreshReport() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    at(fleet, 0).setReportedLoad(kv(0.2));
    at(fleet, 1).setReportedLoad(new WorkerLoad(0, 0, 0.9, clock.get() - 20_000_000_000L));
    double[] scores = new double[3];
    new KvUsageScorer(Duration.ofSeconds(10), clock::get).score(REQUEST, fleet, scores);
    assertThat(scores[0]).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(scores[1]).isEqualTo(0.5);
    assertThat(scores[2]).isEqualTo(0.5);
    assertThatThrownBy(() -> new KvUsageScorer(Duration.ZERO, clock::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxReportAge");
  }

  @Test
  void prefixAffinityScorer_scoresTheCachedShareAndRecordsTheChoice() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    PrefixAffinityScorer scorer = new PrefixAffinityScorer();
    RequestView first = FakeRequestView.text("0123456789");
    double[] scores = new double[3];
    scorer.score(first, fleet, scores);
    assertThat(scores).containsOnly(0.0);
    scorer.onSelected(first, fleet.get(1));

    RequestView second = FakeRequestView.text("01234567890123456789");
    scores = new double[3];
    scorer.score(second, fleet, scores);
    assertThat(scores).containsExactly(0.0, 0.5, 0.0);
  }

  @Test
  void prefixAffinityScorer_keepsAWorkerAFilterSetsAside_andForgetsOneThatLeft() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    List<WorkerView> withoutW2 = List.of(fleet.get(0), fleet.get(1));
    PrefixAffinityScorer scorer = new PrefixAffinityScorer();
    RequestView conversation = FakeRequestView.text("the conversation w2 served");
    scorer.score(conversation, fleet, new double[3]);
    scorer.onSelected(conversation, fleet.get(2));

    // A filter in front (the KV-usage gate, say) leaves w2 out of every list for long: its cache
    // is intact, and its conversations must find it again when it is back.
    for (int i = 0; i < PrefixTree.ABSENT_PURGE_DELAY + 1000; i++) {
      RequestView other = FakeRequestView.text("other " + (i % 7));
      scorer.score(other, withoutW2, new double[2]);
      scorer.onSelected(other, withoutW2.get(i % 2));
    }
    double[] back = new double[3];
    scorer.score(conversation, fleet, back);
    assertThat(back[2]).isEqualTo(1.0);

    // It leaves the fleet: its entries go at once.
    scorer.onWorkerRemoved(fleet.get(2).worker());
    double[] gone = new double[3];
    scorer.score(conversation, fleet, gone);
    assertThat(gone[2]).isZero();
  }

  @Test
  void prefixAffinityScorer_insteadOfTheWalkFromScoreWalksAgainWhenAnotherTreeWasUsed() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    PrefixAffinityScorer a = new PrefixAffinityScorer();
    PrefixAffinityScorer b = new PrefixAffinityScorer();
    RequestView r = FakeRequestView.text("abcdefgh");
    a.score(r, fleet, new double[2]);
    b.score(r, fleet, new double[2]); // the thread's walk now belongs to b's tree
    a.onSelected(r, fleet.get(0));
    b.onSelected(r, fleet.get(1));
    double[] scoresA = new double[2];
    a.score(r, fleet, scoresA);
    assertThat(scoresA).containsExactly(1.0, 0.0);
    double[] scoresB = new double[2];
    b.score(r, fleet, scoresB);
    assertThat(scoresB).containsExactly(0.0, 1.0);
  }

  // ------------------------------------------------------------------ KV gate

  private KvUsageGateFilter gate(boolean failOpen) {
    return new KvUsageGateFilter(
        KvUsageGateConfig.builder()
            .ticker(clock::get)
            .recheckInterval(Duration.ZERO)
            .failOpen(failOpen)
            .build());
  }

  @Test
  void kvGate_stopsAboveTheHighMarkAndResumesOnlyBelowTheLowMark() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    KvUsageGateFilter g = gate(true);
    at(fleet, 0).setReportedLoad(kv(0.80));
    assertThat(g.filter(REQUEST, fleet)).isSameAs(fleet);
    at(fleet, 0).setReportedLoad(kv(0.91));
    assertThat(g.filter(REQUEST, fleet)).containsExactly(fleet.get(1));
    assertThat(g.isGated("w0")).isTrue();
    // Between the marks the gate holds: still closed at 0.80.
    at(fleet, 0).setReportedLoad(kv(0.80));
    assertThat(g.filter(REQUEST, fleet)).containsExactly(fleet.get(1));
    at(fleet, 0).setReportedLoad(kv(0.76));
    assertThat(g.filter(REQUEST, fleet)).isSameAs(fleet);
    assertThat(g.isGated("w0")).isFalse();
  }

  @Test
  void kvGate_ignoresMissingAndStaleReports() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    KvUsageGateFilter g = gate(true);
    at(fleet, 1).setReportedLoad(kv(0.99));
    clock.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(g.filter(REQUEST, fleet)).isSameAs(fleet);
  }

  @Test
  void kvGate_failsOpenOrDeclinesWhenEveryWorkerIsGated() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    at(fleet, 0).setReportedLoad(kv(0.95));
    at(fleet, 1).setReportedLoad(kv(0.95));
    assertThat(gate(true).filter(REQUEST, fleet)).isSameAs(fleet);
    assertThat(gate(false).filter(REQUEST, fleet)).isEmpty();
    Choice declined =
        CompositeStrategy.builder("gated").filter(gate(false)).build().select(REQUEST, fleet);
    assertThat(declined.reason()).contains(KvUsageGateFilter.NAME);
  }

  @Test
  void kvGate_reevaluatesAtMostOncePerIntervalAndKeepsItsAnswerInstance() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    KvUsageGateFilter g =
        new KvUsageGateFilter(
            KvUsageGateConfig.builder()
                .ticker(clock::get)
                .recheckInterval(Duration.ofMillis(100))
                .build());
    at(fleet, 0).setReportedLoad(kv(0.95));
    List<WorkerView> kept = g.filter(REQUEST, fleet);
    assertThat(kept).containsExactly(fleet.get(1), fleet.get(2));
    at(fleet, 1).setReportedLoad(kv(0.95));
    assertThat(g.filter(REQUEST, fleet)).isSameAs(kept); // not rechecked yet
    clock.addAndGet(Duration.ofMillis(101).toNanos());
    assertThat(g.filter(REQUEST, fleet)).containsExactly(fleet.get(2));
    // Unchanged decision on a later recheck: the same instance, so later parts keep their caches.
    List<WorkerView> again = g.filter(REQUEST, fleet);
    clock.addAndGet(Duration.ofMillis(101).toNanos());
    assertThat(g.filter(REQUEST, fleet)).isSameAs(again);
  }

  @Test
  void kvGate_keepsEachCandidateListApart() {
    List<WorkerView> modelA = ClosedLoop.fleet(2);
    List<WorkerView> modelB = List.copyOf(new ArrayList<>(modelA));
    KvUsageGateFilter g =
        new KvUsageGateFilter(
            KvUsageGateConfig.builder().ticker(clock::get).recheckInterval(Duration.ofHours(1))
                .build());
    at(modelA, 0).setReportedLoad(kv(0.95));
    List<WorkerView> keptA = g.filter(REQUEST, modelA);
    List<WorkerView> keptB = g.filter(REQUEST, modelB);
    assertThat(keptA).containsExactly(modelA.get(1));
    assertThat(keptB).containsExactly(modelA.get(1));
    // Alternating lists reuse each list's own answer.
    assertThat(g.filter(REQUEST, modelA)).isSameAs(keptA);
    assertThat(g.filter(REQUEST, modelB)).isSameAs(keptB);
  }

  // ------------------------------------------------------------------ together

  @Test
  void aGatedAffinityPolicyFromPartsRoutesLikeItsParts() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    CompositeStrategy policy =
        CompositeStrategy.builder("gated_affinity")
            .filter(gate(true))
            .scorer(new PrefixAffinityScorer(), 2.0)
            .scorer(new InFlightLoadScorer(), 1.0)
            .build();
    String prompt = "system prompt of the conversation ".repeat(10);
    String home = policy.select(FakeRequestView.text(prompt), fleet).worker().id();
    int h = Integer.parseInt(home.substring(1));
    at(fleet, h).setInFlight(1);
    // Cached share 1.0 * 2 + load score 0 beats 0 + 1.
    assertThat(policy.select(FakeRequestView.text(prompt + "more"), fleet).worker().id())
        .isEqualTo(home);
    // Gated: the home worker's KV cache is full.
    at(fleet, h).setReportedLoad(kv(0.95));
    assertThat(policy.select(FakeRequestView.text(prompt + "more"), fleet).worker().id())
        .isNotEqualTo(home);
  }
}
