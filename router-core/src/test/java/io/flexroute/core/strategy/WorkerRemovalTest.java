package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.HealthState;
import io.flexroute.RequestOutcome;
import io.flexroute.Worker;
import io.flexroute.spi.Choice;
import io.flexroute.spi.CompositeStrategy;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerFilter;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code onWorkerRemoved}: strategies drop what they keep for a worker that left the fleet, and the
 * wrappers pass the word on, so a long-lived router with churning workers does not accumulate state
 * for workers long gone.
 */
class WorkerRemovalTest {

  private static final RequestView REQUEST = FakeRequestView.text("hello");

  private final AtomicLong clock = new AtomicLong(5_000_000_000L);

  private static RequestFeedback success(WorkerView w) {
    return new RequestFeedback(
        REQUEST, w, RequestOutcome.SUCCESS, Duration.ofMillis(300), null, null);
  }

  @Test
  void peakEwma_forgetsTheAverage_andALateCompletionDoesNotBringItBack() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    PeakEwmaStrategy s =
        new PeakEwmaStrategy(PeakEwmaConfig.builder().ticker(clock::get).build());
    s.select(REQUEST, fleet);
    s.onComplete(success(fleet.get(0)));
    assertThat(s.averageNanos("w0")).isPositive();

    s.onWorkerRemoved(fleet.get(0).worker());
    assertThat(s.averageNanos("w0")).isZero();
    // A request that was still running on it ends after the removal.
    ((FakeWorkerView) fleet.get(0)).setHealth(HealthState.REMOVED);
    s.onComplete(success(fleet.get(0)));
    assertThat(s.averageNanos("w0")).isZero();
    // The other worker keeps learning.
    s.onComplete(success(fleet.get(1)));
    assertThat(s.averageNanos("w1")).isPositive();
  }

  @Test
  void shortestTtft_forgetsTheLedger() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    ShortestTtftStrategy s =
        new ShortestTtftStrategy(ShortestTtftConfig.builder().ticker(clock::get).build());
    WorkerView chosen = s.select(FakeRequestView.text("x ".repeat(4_000)), fleet).worker();
    assertThat(s.queuedWork(chosen.id())).isPositive();

    s.onWorkerRemoved(chosen.worker());

    assertThat(s.queuedWork(chosen.id())).isZero();
  }

  @Test
  void kvUsageGate_forgetsTheGate() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    KvUsageGateFilter g =
        new KvUsageGateFilter(
            KvUsageGateConfig.builder().ticker(clock::get).recheckInterval(Duration.ZERO).build());
    ((FakeWorkerView) fleet.get(0)).setReportedLoad(new WorkerLoad(0, 0, 0.95, clock.get()));
    g.filter(REQUEST, fleet);
    assertThat(g.isGated("w0")).isTrue();

    g.onWorkerRemoved(fleet.get(0).worker());

    assertThat(g.isGated("w0")).isFalse();
  }

  @Test
  void sessionAffinity_dropsTheWorkersPinsOnly() {
    List<WorkerView> fleet = FakeWorkerView.fleet(2);
    SessionAffinityStrategy s = new SessionAffinityStrategy(100, Duration.ofMinutes(1), clock::get);
    for (int i = 0; i < 10; i++) {
      WorkerView w = s.select(FakeRequestView.chat("hi", "s" + i), fleet).worker();
      ((FakeWorkerView) w).addInFlight(1);
    }
    assertThat(s.sessionCount()).isEqualTo(10);

    s.onWorkerRemoved(fleet.get(0).worker());

    assertThat(s.sessionCount()).isEqualTo(5);
    for (int i = 0; i < 10; i++) {
      assertThat(s.pinnedWorker("s" + i)).isIn(null, "w1");
    }
  }

  @Test
  void consistentHash_dropsTheWorkersSessionsOnly() {
    List<WorkerView> fleet = ClosedLoop.fleet(4);
    ConsistentHashStrategy s =
        new ConsistentHashStrategy(ConsistentHashConfig.builder().ticker(clock::get).build());
    String[] homes = new String[40];
    for (int i = 0; i < homes.length; i++) {
      homes[i] = s.select(FakeRequestView.chat("hi", "s" + i), fleet).worker().id();
    }
    String gone = homes[0];

    s.onWorkerRemoved(Worker.of(gone, "http://" + gone + ".invalid:1"));

    for (int i = 0; i < homes.length; i++) {
      assertThat(s.stickyWorker("s" + i)).isEqualTo(homes[i].equals(gone) ? null : homes[i]);
    }
  }

  @Test
  void cacheAware_forgetsTheWorkersPrefixesAtOnce() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    CacheAwareStrategy s = new CacheAwareStrategy();
    String conversation = "a long conversation that one worker served. ".repeat(20);
    WorkerView home = s.select(FakeRequestView.text(conversation + "turn 1"), fleet).worker();
    ((FakeWorkerView) home).setInFlight(3); // busier, but within the balance threshold (4)
    // The prefix keeps the conversation on its busier worker ...
    assertThat(s.select(FakeRequestView.text(conversation + "turn 2"), fleet).worker())
        .isSameAs(home);

    s.onWorkerRemoved(home.worker());

    // ... until the worker leaves: then nothing holds it (a worker added again under the same
    // id starts empty), and the least-loaded worker takes it.
    assertThat(s.select(FakeRequestView.text(conversation + "turn 3"), fleet).worker())
        .isNotSameAs(home);
  }

  /** Records the removals it is told of. */
  private static final class Recorder implements RoutingStrategy, WorkerFilter {
    final List<String> removed = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "recorder";
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      return Choice.of(candidates.get(0));
    }

    @Override
    public List<WorkerView> filter(RequestView request, List<WorkerView> candidates) {
      return candidates;
    }

    @Override
    public void onComplete(RequestFeedback feedback) {}

    @Override
    public void onWorkerRemoved(Worker worker) {
      removed.add(worker.id());
    }
  }

  @Test
  void wrappersPassTheWordOn_eachStrategyOnce() {
    Worker w = Worker.of("w0", "http://w0.invalid:1");
    Recorder shared = new Recorder();
    Recorder other = new Recorder();
    PerModelStrategy perModel =
        PerModelStrategy.builder(shared).model("a", shared).model("b", other).build();
    perModel.onWorkerRemoved(w);
    assertThat(shared.removed).containsExactly("w0");
    assertThat(other.removed).containsExactly("w0");

    Recorder inner = new Recorder();
    new PriorityFailoverStrategy(inner, PriorityFailoverConfig.defaults()).onWorkerRemoved(w);
    assertThat(inner.removed).containsExactly("w0");

    Recorder part = new Recorder();
    CompositeStrategy.builder("composite").filter(part).build().onWorkerRemoved(w);
    assertThat(part.removed).containsExactly("w0");
  }
}
