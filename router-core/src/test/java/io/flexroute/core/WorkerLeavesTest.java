package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.GenerateRequest;
import io.flexroute.Router;
import io.flexroute.Worker;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeTransport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A worker that leaves the fleet is announced to the strategy and to its transport. */
class WorkerLeavesTest {

  private final FakeTransport transport = FakeTransport.create();

  /** Records removals; optionally throws on them, as a faulty plug-in would. */
  private static final class RemovalRecorder implements RoutingStrategy {
    final List<String> removed = new CopyOnWriteArrayList<>();
    final boolean fail;

    RemovalRecorder(boolean fail) {
      this.fail = fail;
    }

    @Override
    public String name() {
      return "removal_recorder";
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      return Choice.of(candidates.get(0));
    }

    @Override
    public void onWorkerRemoved(Worker worker) {
      removed.add(worker.id());
      if (fail) {
        throw new IllegalStateException("faulty plug-in");
      }
    }
  }

  private Router router(RoutingStrategy strategy) {
    return Router.builder()
        .transport(transport)
        .strategy(strategy)
        .worker("a", "http://a.invalid:1")
        .worker("b", "http://b.invalid:1")
        .build();
  }

  @Test
  void removingAWorkerTellsTheStrategyAndTheTransport_once() {
    RemovalRecorder strategy = new RemovalRecorder(false);
    try (Router router = router(strategy)) {
      assertThat(router.workers().remove("a")).isTrue();
      assertThat(router.workers().remove("a")).isFalse();

      assertThat(strategy.removed).containsExactly("a");
      assertThat(transport.removedWorkers()).containsExactly("a");
      // Health changes are not departures.
      router.workers().setHealth("b", io.flexroute.HealthState.UNHEALTHY);
      assertThat(strategy.removed).containsExactly("a");
    }
  }

  @Test
  void aStrategyThatThrowsOnRemoval_neitherFailsTheRemovalNorKeepsItFromTheTransport() {
    RemovalRecorder strategy = new RemovalRecorder(true);
    try (Router router = router(strategy)) {
      assertThat(router.workers().remove("a")).isTrue();

      assertThat(strategy.removed).containsExactly("a");
      assertThat(transport.removedWorkers()).containsExactly("a");
      assertThat(router.workers().list()).extracting(Worker::id).containsExactly("b");
      assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("b");
    }
  }

  @Test
  void aWorkerAddedAfterClose_isRefused() {
    Router router = router(new RemovalRecorder(false));
    router.close();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> router.workers().add(Worker.of("late", "http://late.invalid:1")))
        .isInstanceOf(io.flexroute.RouterClosedException.class);
    assertThat(router.workers().list()).extracting(Worker::id).containsExactly("a", "b");
  }

  @Test
  void aRemovalDeliveredAfterTheWorkerCameBack_leavesTheNewWorkersStateAlone() {
    RemovalRecorder strategy = new RemovalRecorder(false);
    java.util.concurrent.atomic.AtomicReference<Router> built =
        new java.util.concurrent.atomic.AtomicReference<>();
    io.flexroute.spi.RouterListener flapping =
        new io.flexroute.spi.RouterListener() {
          @Override
          public void workerAdded(WorkerView worker) {
            if (worker.id().equals("trigger")) {
              // Runs while the registry delivers an event: the removal below is delivered only
              // after "a" is back.
              Router r = built.get();
              r.workers().remove("a");
              r.workers().add(Worker.of("a", "http://a.invalid:1"));
            }
          }
        };
    try (Router router =
        Router.builder()
            .transport(transport)
            .strategy(strategy)
            .listener(flapping)
            .worker("a", "http://a.invalid:1")
            .build()) {
      built.set(router);
      router.workers().add(Worker.of("trigger", "http://t.invalid:1"));

      assertThat(router.workers().list()).extracting(Worker::id).contains("a");
      assertThat(strategy.removed).isEmpty();
      assertThat(transport.removedWorkers()).isEmpty();
    }
  }
}
