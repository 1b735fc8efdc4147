package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Consistent hashing with bounded load and sticky sessions. */
class ConsistentHashStrategyTest {

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private ConsistentHashStrategy strategy() {
    return new ConsistentHashStrategy(ConsistentHashConfig.builder().ticker(clock::get).build());
  }

  private static RequestView session(String key) {
    return FakeRequestView.chat("hi", key);
  }

  private static FakeWorkerView byId(List<WorkerView> fleet, String id) {
    for (WorkerView w : fleet) {
      if (w.id().equals(id)) {
        return (FakeWorkerView) w;
      }
    }
    throw new AssertionError(id);
  }

  @Test
  void theSamePrefixGoesToTheSameWorker() {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    ConsistentHashStrategy s = strategy();
    String prefix = "shared context ".repeat(100);
    String first = s.select(FakeRequestView.text(prefix + "a"), fleet).worker().id();
    for (int i = 0; i < 20; i++) {
      assertThat(s.select(FakeRequestView.text(prefix + "question " + i), fleet).worker().id())
          .isEqualTo(first);
    }
  }

  @Test
  void aRetryListWithoutAWorker_sharesTheRingAndMapsKeysAsARingOfItsOwn() {
    List<WorkerView> fleet = ClosedLoop.fleet(16);
    List<WorkerView> withoutW3 = new java.util.ArrayList<>(fleet);
    withoutW3.remove(3);
    ConsistentHashStrategy shared = strategy();
    ConsistentHashStrategy own = strategy();
    shared.select(FakeRequestView.text("warm"), fleet);

    for (int i = 0; i < 2_000; i++) {
      RequestView r = FakeRequestView.text("prompt " + i);
      // A strategy that saw only the short list builds its own ring for it.
      assertThat(shared.select(r, withoutW3).worker().id())
          .isEqualTo(own.select(r, withoutW3).worker().id());
    }
    // The strategy that saw the full list first built one ring, and none for the retry list.
    assertThat(shared.ringsBuilt()).isEqualTo(1);
    assertThat(own.ringsBuilt()).isEqualTo(1);
  }

  @Test
  void differentKeysSpreadOverTheRing() {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    ConsistentHashStrategy s = strategy();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 8_000; i++) {
      counts.merge(s.select(FakeRequestView.text("prompt " + i), fleet).worker().id(), 1,
          Integer::sum);
    }
    assertThat(counts).hasSize(8);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(500, 1_600));
  }

  @Test
  void aPopularKeySpillsOverWhenItsWorkerIsAboveTheBound() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ConsistentHashStrategy s = strategy();
    RequestView popular = FakeRequestView.text("the one system prompt everybody uses");
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      FakeWorkerView w = (FakeWorkerView) s.select(popular, fleet).worker();
      w.addInFlight(1); // never finishes
      used.add(w.id());
    }
    assertThat(used).hasSize(4);
    for (WorkerView w : fleet) {
      // Bound: ceil(1.25 * (total + 1) / 4) with total < 40.
      assertThat(w.inFlightRequests()).isLessThanOrEqualTo(13);
    }
  }

  @Test
  void addingAWorkerMovesAboutOneInNOfThePrefixKeys() {
    List<WorkerView> eight = ClosedLoop.fleet(9).subList(0, 8);
    List<WorkerView> nine = ClosedLoop.fleet(9);
    List<WorkerView> before = List.copyOf(eight);
    List<WorkerView> after = new ArrayList<>(before);
    after.add(new FakeWorkerView(nine.get(8).worker()));
    after = List.copyOf(after);
    ConsistentHashStrategy s = strategy();
    int moved = 0;
    int keys = 4_000;
    for (int i = 0; i < keys; i++) {
      RequestView r = FakeRequestView.text("key " + i);
      if (!s.select(r, before).worker().id().equals(s.select(r, after).worker().id())) {
        moved++;
      }
    }
    // Ideal: 1/9 of the keys (444); a modulo hash would move 8/9.
    assertThat(moved).isBetween(250, 700);
  }

  @Test
  void aSessionStaysOnItsWorkerWhateverTheLoad() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ConsistentHashStrategy s = strategy();
    String home = s.select(session("conversation-1"), fleet).worker().id();
    byId(fleet, home).setInFlight(1_000);
    for (int i = 0; i < 10; i++) {
      assertThat(s.select(session("conversation-1"), fleet).worker().id()).isEqualTo(home);
    }
    assertThat(s.stickyWorker("conversation-1")).isEqualTo(home);
  }

  @Test
  void aSessionIsNotMovedByNewWorkersButIsRemappedWhenItsWorkerLeaves() {
    List<WorkerView> all = ClosedLoop.fleet(6);
    List<WorkerView> three = List.copyOf(all.subList(0, 3));
    ConsistentHashStrategy s = strategy();
    Map<String, String> homes = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      homes.put("s" + i, s.select(session("s" + i), three).worker().id());
    }
    // Scale out: no session moves.
    for (int i = 0; i < 100; i++) {
      assertThat(s.select(session("s" + i), all).worker().id()).isEqualTo(homes.get("s" + i));
    }
    // w0 leaves: only its sessions move, each to one new home that then sticks.
    List<WorkerView> withoutW0 = List.copyOf(all.subList(1, 6));
    for (int i = 0; i < 100; i++) {
      String key = "s" + i;
      String now = s.select(session(key), withoutW0).worker().id();
      if (homes.get(key).equals("w0")) {
        assertThat(now).isNotEqualTo("w0");
        assertThat(s.select(session(key), all).worker().id()).isEqualTo(now);
      } else {
        assertThat(now).isEqualTo(homes.get(key));
      }
    }
  }

  @Test
  void aRetryAwayFromTheSessionsWorkerKeepsTheSessionThere() {
    List<WorkerView> fleet = ClosedLoop.fleet(6);
    ConsistentHashStrategy s = strategy();
    String home = s.select(session("conversation-1"), fleet).worker().id();
    WorkerView homeView = byId(fleet, home);
    List<WorkerView> retry = new ArrayList<>(fleet);
    retry.remove(homeView);
    for (int i = 0; i < 5; i++) {
      RequestView again = FakeRequestView.chat("hi", "conversation-1").excluding(homeView);
      assertThat(s.select(again, retry).worker().id()).isNotEqualTo(home);
      assertThat(s.stickyWorker("conversation-1")).isEqualTo(home);
    }
    assertThat(s.select(session("conversation-1"), fleet).worker().id()).isEqualTo(home);
    // Without the exclusion the same list means the worker left: the session moves for good.
    String moved = s.select(session("conversation-1"), retry).worker().id();
    assertThat(moved).isNotEqualTo(home);
    assertThat(s.stickyWorker("conversation-1")).isEqualTo(moved);
  }

  @Test
  void anIdleSessionIsForgottenAfterTheIdleTime() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ConsistentHashStrategy s =
        new ConsistentHashStrategy(
            ConsistentHashConfig.builder()
                .ticker(clock::get)
                .stickyIdle(Duration.ofMinutes(10))
                .build());
    s.select(session("idle"), fleet);
    clock.addAndGet(Duration.ofMinutes(9).toNanos());
    assertThat(s.stickyWorker("idle")).isNotNull();
    clock.addAndGet(Duration.ofMinutes(9).toNanos());
    assertThat(s.stickyWorker("idle")).isNotNull(); // each request or lookup renews it
    clock.addAndGet(Duration.ofMinutes(11).toNanos());
    assertThat(s.stickyWorker("idle")).isNull();
    s.select(session("gone"), fleet);
    s.forget("gone");
    assertThat(s.stickyWorker("gone")).isNull();
  }

  @Test
  void concurrentFirstRequestsOfOneSessionAgreeOnAWorker() throws Exception {
    List<WorkerView> fleet = ClosedLoop.fleet(16);
    for (int round = 0; round < 50; round++) {
      ConsistentHashStrategy s = strategy();
      int threads = 8;
      Set<String> chosen = ConcurrentHashMap.newKeySet();
      for (int id = 0; id < threads; id++) {
        // Uneven loads make the bounded-load walk sensitive to timing.
        byId(fleet, "w" + id).setInFlight(id);
      }
      Concurrently.run(
          threads, id -> chosen.add(s.select(session("new-session"), fleet).worker().id()));
      assertThat(chosen).hasSize(1);
    }
  }

  @Test
  void aSingleCandidateTakesEverything() {
    List<WorkerView> fleet = ClosedLoop.fleet(1);
    ConsistentHashStrategy s = strategy();
    assertThat(s.select(session("x"), fleet).worker().id()).isEqualTo("w0");
    assertThat(s.select(FakeRequestView.text("y"), fleet).worker().id()).isEqualTo("w0");
  }

  @Test
  void tokenPromptsHashTheirFirstTokens() {
    List<WorkerView> fleet = ClosedLoop.fleet(8);
    ConsistentHashStrategy s =
        new ConsistentHashStrategy(ConsistentHashConfig.builder().prefixTokens(4).build());
    String a = s.select(FakeRequestView.tokens(1, 2, 3, 4, 5, 6), fleet).worker().id();
    assertThat(s.select(FakeRequestView.tokens(1, 2, 3, 4, 9, 9, 9), fleet).worker().id())
        .isEqualTo(a);
  }
}
