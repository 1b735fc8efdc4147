package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.Router;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeTransport;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionAffinityStrategyTest {

  private final AtomicLong clock = new AtomicLong(1_000);

  private SessionAffinityStrategy strategy(int maxSessions, Duration ttl) {
    return new SessionAffinityStrategy(maxSessions, ttl, clock::get);
  }

  private static RequestView session(String key) {
    return FakeRequestView.chat("turn", key);
  }

  private static String pick(SessionAffinityStrategy s, String key, List<WorkerView> fleet) {
    return s.select(session(key), fleet).worker().id();
  }

  @Test
  void select_keepsASessionOnItsWorkerWhateverTheLoad() {
    List<WorkerView> fleet = FakeWorkerView.fleet(3);
    SessionAffinityStrategy s = strategy(100, Duration.ofMinutes(1));
    String first = pick(s, "conv-1", fleet);
    // Make the pinned worker the busiest: a load-based strategy would move away from it.
    for (WorkerView w : fleet) {
      ((FakeWorkerView) w).setInFlight(w.id().equals(first) ? 50 : 0);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(pick(s, "conv-1", fleet)).isEqualTo(first);
    }
    assertThat(s.pinnedWorker("conv-1")).isEqualTo(first);
    assertThat(s.sessionCount()).isEqualTo(1);
  }

  @Test
  void select_placesNewSessionsOnTheLeastLoadedWorker() {
    List<WorkerView> fleet = FakeWorkerView.fleet(3);
    ((FakeWorkerView) fleet.get(0)).setInFlight(5);
    ((FakeWorkerView) fleet.get(1)).setInFlight(1);
    ((FakeWorkerView) fleet.get(2)).setInFlight(3);
    SessionAffinityStrategy s = strategy(100, Duration.ofMinutes(1));
    assertThat(pick(s, "new", fleet)).isEqualTo("w1");
  }

  @Test
  void select_spreadsManySessionsAndEachStaysPut() {
    List<WorkerView> fleet = FakeWorkerView.fleet(4);
    SessionAffinityStrategy s = strategy(10_000, Duration.ofMinutes(1));
    Map<String, String> first = new HashMap<>();
    Map<String, Integer> perWorker = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      String w = pick(s, "c" + i, fleet);
      first.put("c" + i, w);
      // The router counts the new request in flight while it runs; sessions stay open here.
      ((FakeWorkerView) fleet.get(Integer.parseInt(w.substring(1)))).addInFlight(1);
      perWorker.merge(w, 1, Integer::sum);
    }
    assertThat(perWorker.values()).containsOnly(50);
    for (int i = 0; i < 200; i++) {
      assertThat(pick(s, "c" + i, fleet)).isEqualTo(first.get("c" + i));
    }
  }

  @Test
  void select_movesASessionWhoseWorkerIsNoLongerACandidate_andKeepsItThere() {
    List<WorkerView> fleet = FakeWorkerView.fleet(3);
    SessionAffinityStrategy s = strategy(100, Duration.ofMinutes(1));
    String first = pick(s, "conv", fleet);
    // The worker went unhealthy: the router leaves it out of the candidates.
    List<WorkerView> without = fleet.stream().filter(w -> !w.id().equals(first)).toList();
    String second = pick(s, "conv", without);
    assertThat(second).isNotEqualTo(first);
    // It is back, but the session's KV cache now lives on the second worker.
    assertThat(pick(s, "conv", fleet)).isEqualTo(second);
  }

  @Test
  void select_routesARetryAwayFromItsExcludedWorker_andKeepsThePin() {
    List<WorkerView> fleet = FakeWorkerView.fleet(3);
    SessionAffinityStrategy s = strategy(100, Duration.ofMinutes(1));
    String home = pick(s, "conv", fleet);
    WorkerView homeView = fleet.stream().filter(w -> w.id().equals(home)).findFirst().orElseThrow();
    // The request failed on its worker: the router retries it without that worker, which is
    // still in the fleet.
    List<WorkerView> retry = fleet.stream().filter(w -> w != homeView).toList();
    String elsewhere =
        s.select(FakeRequestView.chat("turn", "conv").excluding(homeView), retry).worker().id();
    assertThat(elsewhere).isNotEqualTo(home);
    assertThat(s.pinnedWorker("conv")).isEqualTo(home);
    assertThat(pick(s, "conv", fleet)).isEqualTo(home);
  }

  @Test
  void select_withoutRoutingKey_usesLeastInFlightAndPinsNothing() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    ((FakeWorkerView) fleet.get(0)).setInFlight(9);
    SessionAffinityStrategy s = strategy(100, Duration.ofMinutes(1));
    assertThat(s.select(FakeRequestView.text("hi"), fleet).worker().id()).isEqualTo("w1");
    assertThat(s.sessionCount()).isZero();
  }

  @Test
  void select_afterTheTtl_routesTheSessionAnew() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    SessionAffinityStrategy s = strategy(100, Duration.ofSeconds(10));
    String first = pick(s, "conv", fleet);
    ((FakeWorkerView) fleet.get(first.equals("w0") ? 0 : 1)).setInFlight(7);
    clock.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(pick(s, "conv", fleet)).isEqualTo(first); // used again: the TTL restarts
    clock.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(pick(s, "conv", fleet)).isEqualTo(first);
    clock.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(s.pinnedWorker("conv")).isNull();
    assertThat(pick(s, "conv", fleet)).isNotEqualTo(first);
  }

  @Test
  void sweep_boundsTheNumberOfSessions_droppingTheLeastRecentlyUsed() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    SessionAffinityStrategy s = strategy(100, Duration.ofHours(1));
    for (int i = 0; i < 100; i++) {
      clock.incrementAndGet();
      pick(s, "old" + i, fleet);
    }
    clock.incrementAndGet();
    pick(s, "old0", fleet); // recently used again: survives the sweep
    clock.incrementAndGet();
    pick(s, "new", fleet); // the 101st session triggers a sweep down to 90
    assertThat(s.sessionCount()).isEqualTo(90);
    assertThat(s.pinnedWorker("old0")).isNotNull();
    assertThat(s.pinnedWorker("new")).isNotNull();
    assertThat(s.pinnedWorker("old1")).isNull();
    assertThat(s.pinnedWorker("old11")).isNull();
    assertThat(s.pinnedWorker("old12")).isNotNull();
  }

  @Test
  void sweep_removesExpiredSessionsPeriodically() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    SessionAffinityStrategy s = strategy(1_000_000, Duration.ofSeconds(1));
    for (int i = 0; i < 10; i++) {
      pick(s, "stale" + i, fleet);
    }
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    for (int i = 0; i < SessionAffinityStrategy.SWEEP_INTERVAL - 10; i++) {
      pick(s, "fresh" + i, fleet);
    }
    assertThat(s.sessionCount()).isEqualTo(SessionAffinityStrategy.SWEEP_INTERVAL - 10);
  }

  @Test
  void forget_dropsAPin() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    SessionAffinityStrategy s = strategy(100, Duration.ofMinutes(1));
    pick(s, "done", fleet);
    assertThat(s.forget("done")).isTrue();
    assertThat(s.forget("done")).isFalse();
    assertThat(s.sessionCount()).isZero();
  }

  @Test
  void constructor_rejectsBadBounds() {
    assertThatThrownBy(() -> new SessionAffinityStrategy(0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSessions must be >= 1, but was 0");
    assertThatThrownBy(() -> new SessionAffinityStrategy(10, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionTtl must be positive, but was PT0S");
  }

  @Test
  void provider_isDiscoveredByName() {
    assertThat(new BuiltinStrategies.SessionAffinity().create())
        .isInstanceOf(SessionAffinityStrategy.class);
    try (Router router =
        Router.builder()
            .worker("a", "http://127.0.0.1:1")
            .transport(FakeTransport.create())
            .strategy(SessionAffinityStrategy.NAME)
            .build()) {
      assertThat(router.strategyName()).isEqualTo("session_affinity");
    }
  }
}
