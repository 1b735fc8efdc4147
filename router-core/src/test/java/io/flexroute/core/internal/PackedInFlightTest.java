package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flexroute.Worker;
import io.flexroute.WeightVersions;
import io.flexroute.WorkerRole;
import io.flexroute.core.strategy.internal.CountedCandidates;
import io.flexroute.core.strategy.internal.ExplicitGc;
import io.flexroute.core.strategy.internal.LeastInFlight;
import io.flexroute.spi.WorkerView;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The registry's packed in-flight counters: the views and the candidate lists read the same
 * counts, removed workers keep counting on their own slot, and a slot is reused only once nothing
 * can touch it.
 */
class PackedInFlightTest {

  private static WorkerRegistryImpl registry() {
    return new WorkerRegistryImpl(
        w -> new WorkerState(w, null), new ListenerSet(List.of()), () -> {}, gone -> {},
        WeightVersions.naturalOrder());
  }

  private static Worker worker(String id) {
    return Worker.builder(id, "http://" + id + ".invalid:30000").build();
  }

  private static List<WorkerView> candidates(WorkerRegistryImpl registry) {
    return registry.snapshot().eligible(null, WorkerRole.REGULAR, null);
  }

  @Test
  void candidateListsArePacked_andTheirScanAgreesWithTheViews() {
    WorkerRegistryImpl registry = registry();
    for (int i = 0; i < 5; i++) {
      registry.add(worker("w" + i));
    }
    WorkerSnapshot snapshot = registry.snapshot();
    List<WorkerView> list = candidates(registry);
    assertThat(list).isInstanceOf(CountedCandidates.class);
    assertThat(registry.views()).isInstanceOf(CountedCandidates.class);
    int[] requests = {3, 1, 1, 2, 4};
    int[] tokens = {10, 30, 20, 5, 0};
    for (int i = 0; i < 5; i++) {
      WorkerState state = snapshot.get("w" + i);
      for (int r = 0; r < requests[i]; r++) {
        state.acquire(r == 0 ? tokens[i] : 0);
      }
      assertThat(list.get(i).inFlightRequests()).isEqualTo(requests[i]);
      assertThat(list.get(i).inFlightTokens()).isEqualTo(tokens[i]);
    }
    for (int start = 0; start < 5; start++) {
      assertThat(LeastInFlight.index(list, start))
          .isEqualTo(LeastInFlight.genericScan(List.copyOf(list), start))
          .isEqualTo(2);
    }
  }

  @Test
  void aGuardReleasesExactlyOnce_onThePackedCounters() {
    WorkerRegistryImpl registry = registry();
    registry.add(worker("a"));
    WorkerState a = registry.snapshot().get("a");
    InFlightGuard guard = a.acquire(12);
    InFlightGuard abandoned = a.tryAcquire(8, 2);
    assertThat(a.tryAcquire(1, 2)).isNull();
    assertThat(a.inFlightRequests()).isEqualTo(2);
    assertThat(a.inFlightTokens()).isEqualTo(20);
    assertThat(guard.release()).isTrue();
    assertThat(guard.release()).isFalse();
    abandoned.abandon();
    abandoned.abandon();
    assertThat(a.inFlightRequests()).isZero();
    assertThat(a.inFlightTokens()).isZero();
    assertThat(a.completedRequests()).isEqualTo(1);
  }

  @Test
  void aRemovedWorkerKeepsItsSlotWhileAnythingHoldsIt() {
    WorkerRegistryImpl registry = registry();
    registry.add(worker("a"));
    registry.add(worker("b"));
    List<WorkerView> before = candidates(registry);
    WorkerState a = registry.snapshot().get("a");
    InFlightGuard running = a.acquire(5);

    registry.remove("a");
    assertThat(candidates(registry)).extracting(WorkerView::id).containsExactly("b");
    registry.add(worker("c"));
    WorkerState c = registry.snapshot().get("c");
    // "a" is still held (by its guard and the old list): "c" must not share its slot.
    c.acquire(0);
    c.acquire(0);
    assertThat(a.inFlightRequests()).isEqualTo(1);
    assertThat(before.get(0).inFlightRequests()).isEqualTo(1);
    // A request that took "a" from the old list still counts on "a" alone.
    InFlightGuard late = a.acquire(1);
    assertThat(LeastInFlight.index(before, 0)).isEqualTo(1);
    late.release();
    running.release();
    assertThat(a.inFlightRequests()).isZero();
    assertThat(c.inFlightRequests()).isEqualTo(2);
    assertThat(registry.counters().slotsInUse()).isEqualTo(3);
  }

  @Test
  void aRemovedWorkersSlotIsReusedZeroed_afterItIsGone() throws Exception {
    assumeTrue(ExplicitGc.works(), "System.gc() is disabled in this JVM");
    WorkerRegistryImpl registry = registry();
    registry.add(worker("a"));
    registry.add(worker("b"));
    // A guard dropped without release must not leak its count into the slot's next owner.
    registry.snapshot().get("a").acquire(9);
    registry.remove("a");
    // The old snapshot, its lists, the state and the guard are now unreachable.
    for (int attempt = 0; attempt < 50 && registry.counters().slotsInUse() > 1; attempt++) {
      System.gc();
      registry.counters().awaitReclaim(100);
    }
    assertThat(registry.counters().slotsInUse()).isEqualTo(1);
    registry.add(worker("c"));
    assertThat(registry.counters().slotsInUse()).isEqualTo(2);
    WorkerState c = registry.snapshot().get("c");
    assertThat(c.inFlightRequests()).isZero();
    assertThat(c.inFlightTokens()).isZero();
    assertThat(LeastInFlight.index(candidates(registry), 0)).isEqualTo(0);
  }
}
