package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.HealthState;
import io.flexroute.WeightVersions;
import io.flexroute.Worker;
import io.flexroute.WorkerChangeListener;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Listeners hear of registry changes in the order they were made, whichever thread made them. */
class RegistryEventOrderTest {

  private final List<String> routerEvents = new CopyOnWriteArrayList<>();
  private final WorkerRegistryImpl registry =
      new WorkerRegistryImpl(
          w -> new WorkerState(w, null),
          new ListenerSet(
              List.of(
                  new RouterListener() {
                    @Override
                    public void workerAdded(WorkerView worker) {
                      routerEvents.add("added " + worker.id());
                    }

                    @Override
                    public void workerRemoved(WorkerView worker) {
                      routerEvents.add("removed " + worker.id());
                    }

                    @Override
                    public void healthChanged(
                        WorkerView worker, HealthState previous, HealthState current) {
                      routerEvents.add(worker.id() + " " + previous + " -> " + current);
                    }
                  })),
          () -> {},
          gone -> {},
          WeightVersions.naturalOrder());

  @Test
  void aRemovalNeverOvertakesTheAdditionBeingToldOnAnotherThread() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch additionBeingTold = new CountDownLatch(1);
    CountDownLatch releaseAddition = new CountDownLatch(1);
    registry.addListener(
        new WorkerChangeListener() {
          @Override
          public void workerAdded(Worker worker) {
            additionBeingTold.countDown();
            await(releaseAddition);
            events.add("added " + worker.id());
          }

          @Override
          public void workerRemoved(Worker worker) {
            events.add("removed " + worker.id());
          }

          @Override
          public void healthChanged(Worker worker, HealthState previous, HealthState current) {
            events.add(worker.id() + " " + previous + " -> " + current);
          }
        });

    Thread adder =
        new Thread(() -> registry.add(Worker.builder("w", "http://w.invalid:30000").build()));
    adder.start();
    assertThat(additionBeingTold.await(10, TimeUnit.SECONDS)).isTrue();

    // While the adding thread is still telling listeners, this thread drains and removes the
    // worker: both calls return at once, their events wait for the one in progress.
    assertThat(registry.setHealth("w", HealthState.DRAINING)).isTrue();
    assertThat(registry.remove("w")).isTrue();
    assertThat(events).isEmpty();

    releaseAddition.countDown();
    adder.join(10_000);
    assertThat(adder.isAlive()).isFalse();
    assertThat(events).containsExactly("added w", "w HEALTHY -> DRAINING", "removed w");
    assertThat(routerEvents).containsExactly("added w", "w HEALTHY -> DRAINING", "removed w");
  }

  @Test
  void healthEventsNameTheStatesOfTheirChangeNotTheCurrentOne() {
    registry.add(Worker.builder("w", "http://w.invalid:30000").build());
    registry.setHealth("w", HealthState.UNHEALTHY);
    registry.setHealth("w", HealthState.HEALTHY);

    assertThat(routerEvents)
        .containsExactly("added w", "w HEALTHY -> UNHEALTHY", "w UNHEALTHY -> HEALTHY");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
