package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.HealthState;
import io.flexroute.Router;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeTransport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** routerClosed is the last event: a closed router's registry changes no more. */
class ClosedRegistryTest {

  @Test
  void afterCloseNeitherRemovalsNorHealthChangesHappen() {
    List<String> events = new CopyOnWriteArrayList<>();
    Router router =
        Router.builder()
            .transport(FakeTransport.create())
            .worker("a", "http://a:1")
            .listener(
                new RouterListener() {
                  @Override
                  public void workerRemoved(WorkerView worker) {
                    events.add("removed " + worker.id());
                  }

                  @Override
                  public void healthChanged(
                      WorkerView worker, HealthState previous, HealthState current) {
                    events.add("health " + current);
                  }

                  @Override
                  public void routerClosed(List<io.flexroute.Worker> workers) {
                    events.add("closed");
                  }
                })
            .build();
    router.close();

    assertThat(router.workers().setHealth("a", HealthState.UNHEALTHY)).isFalse();
    assertThat(router.workers().remove("a")).isFalse();

    assertThat(events).containsExactly("closed");
  }
}
