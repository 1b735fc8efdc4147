package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.GenerateRequest;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The cache-aware strategy: affinity to cached prefixes, never at the cost of piling up. */
class CacheAwareStrategyTest {

  private static final String SYSTEM = "system: You are a careful assistant. ".repeat(20);

  private static FakeWorkerView view(List<WorkerView> fleet, String id) {
    for (WorkerView w : fleet) {
      if (w.id().equals(id)) {
        return (FakeWorkerView) w;
      }
    }
    throw new AssertionError(id);
  }

  private static String pick(CacheAwareStrategy s, List<WorkerView> fleet, String prompt) {
    return s.select(FakeRequestView.text(prompt), fleet).worker().id();
  }

  @Test
  void followsTheLongestCachedPrefixWhileTheFleetIsBalanced() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    CacheAwareStrategy s = new CacheAwareStrategy();
    String conversation = SYSTEM + "user: tell me about prefixes\n";
    String first = pick(s, fleet, conversation);
    view(fleet, first).setInFlight(3); // busier than the others, but within the balance thresholds

    for (int turn = 0; turn < 5; turn++) {
      conversation += "assistant: answer " + turn + "\nuser: follow-up " + turn + "\n";
      assertThat(pick(s, fleet, conversation)).isEqualTo(first);
    }
  }

  @Test
  void aShortMatchBelowTheThresholdGoesToTheLeastLoaded() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    CacheAwareStrategy s = new CacheAwareStrategy();
    String holder = pick(s, fleet, "hello " + "x".repeat(100));
    String idle = holder.equals("w2") ? "w3" : "w2";
    for (WorkerView w : fleet) {
      ((FakeWorkerView) w).setInFlight(w.id().equals(idle) ? 0 : 2);
    }

    // "hello " is 6 of 106 characters: far below the 0.5 threshold.
    assertThat(pick(s, fleet, "hello " + "y".repeat(100))).isEqualTo(idle);
  }

  @Test
  void aThresholdOfOneNeverFollowsTheCache() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    CacheAwareStrategy s =
        new CacheAwareStrategy(CacheAwareConfig.builder().cacheThreshold(1.0).build());
    String holder = pick(s, fleet, SYSTEM);
    view(fleet, holder).setInFlight(1);
    assertThat(pick(s, fleet, SYSTEM)).isNotEqualTo(holder);
  }

  @Test
  void anImbalancedFleetKeepsAffinityOnlyWithinTheLoadWindow() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    CacheAwareStrategy s = new CacheAwareStrategy();
    String conversation = SYSTEM + "user: a question\n";
    String home = pick(s, fleet, conversation);
    String busy = home.equals("w3") ? "w2" : "w3";
    view(fleet, busy).setInFlight(20); // 20 - 0 > 4 and 20 > 1.5 * 0: imbalanced

    // Window: min 0 + 2 + 0.25 * 0 = 2. Home at 2 keeps the conversation ...
    view(fleet, home).setInFlight(2);
    assertThat(pick(s, fleet, conversation + "more")).isEqualTo(home);
    // ... home at 3 is too far above the least loaded: the request moves.
    view(fleet, home).setInFlight(3);
    String moved = pick(s, fleet, conversation + "more and more");
    assertThat(moved).isNotEqualTo(home).isNotEqualTo(busy);
    assertThat(view(fleet, moved).inFlightRequests()).isZero();
  }

  @Test
  void theBestMatchWithinTheWindowWinsOverTheLeastLoaded() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    CacheAwareStrategy s = new CacheAwareStrategy();
    String a = SYSTEM + "user: conversation A\n";
    String homeOfA = pick(s, fleet, a);
    // Make another worker the least loaded and a third very busy.
    List<String> others = new ArrayList<>();
    for (WorkerView w : fleet) {
      if (!w.id().equals(homeOfA)) {
        others.add(w.id());
      }
    }
    view(fleet, others.get(0)).setInFlight(0);
    view(fleet, others.get(1)).setInFlight(30);
    view(fleet, homeOfA).setInFlight(1);
    assertThat(pick(s, fleet, a + "assistant: ok\nuser: next\n")).isEqualTo(homeOfA);
  }

  @Test
  void requestsSharingOneSystemPromptDoNotCollapseOntoOneWorker() {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    CacheAwareStrategy s = new CacheAwareStrategy();
    // Every prompt is the same long system prompt plus a short distinct question: the cached share
    // is ~95%, far above the threshold, for whoever holds the system prompt.
    ClosedLoop.Stats stats =
        ClosedLoop.run(
            s, fleet, i -> FakeRequestView.text(SYSTEM + "user: question " + i), 4_000, 32, 7);

    assertThat(stats.served()).hasSize(8);
    assertThat(stats.served().values()).allSatisfy(c -> assertThat(c).isGreaterThan(4_000 / 16));
    assertThat(stats.meanImbalance()).isLessThan(1.5);
    assertThat(stats.maxSpread()).isLessThanOrEqualTo(CacheAwareConfig.DEFAULT_BALANCE_ABS_THRESHOLD
        + 2);
  }

  @Test
  void multiTurnConversationsStayHomeWhileTheFleetStaysBalanced() {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    CacheAwareStrategy s = new CacheAwareStrategy();
    int conversations = 64;
    String[] text = new String[conversations];
    String[] home = new String[conversations];
    int[] stayed = new int[1];
    int[] turns = new int[1];
    for (int c = 0; c < conversations; c++) {
      text[c] = "system: assistant " + (c % 4) + ". user: conversation " + c + " starts here. ";
    }
    ClosedLoop.Stats stats =
        ClosedLoop.run(
            s,
            fleet,
            i -> {
              int c = i % conversations;
              text[c] = text[c] + ("turn " + i + " with a long enough tool output ").repeat(3);
              return FakeRequestView.text(text[c]);
            },
            4_000,
            32,
            11,
            (i, w) -> {
              int c = i % conversations;
              if (home[c] != null) {
                turns[0]++;
                if (home[c].equals(w.id())) {
                  stayed[0]++;
                }
              }
              home[c] = w.id();
            });
    // 32 requests on 8 workers: 4 each on average; the spread stays near the balance threshold.
    assertThat(stats.meanImbalance()).isLessThan(1.6);
    assertThat(stats.maxSpread()).isLessThanOrEqualTo(8);
    assertThat(stats.served()).hasSize(8);
    // Most turns find their conversation's cache where the previous turn left it.
    assertThat((double) stayed[0] / turns[0]).isGreaterThan(0.8);
  }

  @Test
  void tokenIdPromptsAreMatchedByToken() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    CacheAwareStrategy s = new CacheAwareStrategy();
    int[] prompt = new int[200];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = 1000 + i;
    }
    String home = s.select(FakeRequestView.tokens(prompt), fleet).worker().id();
    view(fleet, home).setInFlight(2);
    int[] longer = java.util.Arrays.copyOf(prompt, 220);
    assertThat(s.select(FakeRequestView.tokens(longer), fleet).worker().id()).isEqualTo(home);
  }

  @Test
  void eachModelHasItsOwnTree() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    CacheAwareStrategy s = new CacheAwareStrategy();
    RequestView forA =
        new FakeRequestView(GenerateRequest.builder().text(SYSTEM).model("a").build(), false);
    String home = s.select(forA, fleet).worker().id();
    view(fleet, home).setInFlight(1);
    RequestView forB =
        new FakeRequestView(GenerateRequest.builder().text(SYSTEM).model("b").build(), false);
    // Model b has never been sent this prompt: its request goes to the idle worker.
    assertThat(s.select(forB, fleet).worker().id()).isNotEqualTo(home);
  }

  @Test
  void aSingleCandidateIsAlwaysChosen() {
    List<WorkerView> fleet = ClosedLoop.fleet(1);
    ((FakeWorkerView) fleet.get(0)).setInFlight(100);
    assertThat(pick(new CacheAwareStrategy(), fleet, SYSTEM)).isEqualTo("w0");
  }

  @Test
  void largeFleetsAreSampledAndStillSpread() {
    List<WorkerView> fleet = ClosedLoop.fleet(1_000);
    CacheAwareStrategy s = new CacheAwareStrategy();
    ClosedLoop.Stats stats =
        ClosedLoop.run(
            s, fleet, i -> FakeRequestView.text(SYSTEM + "user: question " + i), 20_000, 2_000, 3);
    assertThat(stats.served().size()).isGreaterThan(900);
  }

  @Test
  void manyThreadsSelectingAtOnceGetCandidatesAndSpread() throws Exception {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    CacheAwareStrategy s =
        new CacheAwareStrategy(CacheAwareConfig.builder().maxTreeSizePerWorker(10_000).build());
    int threads = 8;
    Map<String, Integer> served = new ConcurrentHashMap<>();
    Set<WorkerView> members = new HashSet<>(fleet);
    Concurrently.run(
        threads,
        id -> {
          for (int i = 0; i < 5_000; i++) {
            String prompt = SYSTEM + "user " + id + " turn " + (i % 50);
            WorkerView w = s.select(FakeRequestView.text(prompt), fleet).worker();
            assertThat(members).contains(w);
            FakeWorkerView f = (FakeWorkerView) w;
            f.addInFlight(1);
            served.merge(w.id(), 1, Integer::sum);
            f.addInFlight(-1);
          }
        });
    assertThat(served.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40_000);
  }
}
