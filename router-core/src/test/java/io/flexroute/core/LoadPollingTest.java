package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.Router;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The router reads every worker's self-reported load at the configured interval. */
class LoadPollingTest {

  private static WorkerLoad awaitLoad(WorkerView view) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      WorkerLoad load = view.reportedLoad();
      if (load != null) {
        return load;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    throw new AssertionError("no load was polled within 10 s");
  }

  @Test
  void pollsEveryWorkerAndPublishesTheLoad() throws Exception {
    FakeTransport transport =
        FakeTransport.create()
            .load("a", new WorkerLoad(3, 1, 0.25, 0))
            .load("b", new WorkerLoad(0, 0, 0.5, 0));
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .worker("b", "http://b:1")
            .loadPolling(Duration.ofMillis(10))
            .build()) {
      WorkerLoad a = awaitLoad(router.workers().view("a").orElseThrow());
      WorkerLoad b = awaitLoad(router.workers().view("b").orElseThrow());
      assertThat(a.runningRequests()).isEqualTo(3);
      assertThat(a.kvCacheUsage()).isEqualTo(0.25);
      assertThat(a.reportedAtNanos()).isPositive();
      assertThat(b.kvCacheUsage()).isEqualTo(0.5);
    }
  }

  @Test
  void aWorkerWhoseLoadCannotBeReadKeepsNone() throws Exception {
    FakeTransport transport = FakeTransport.create().load("a", new WorkerLoad(1, 0, 0.1, 0));
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .worker("b", "http://b:1")
            .loadPolling(Duration.ofMillis(10))
            .build()) {
      awaitLoad(router.workers().view("a").orElseThrow());
      // b was asked (and failed) at least twice, not merely not asked yet.
      Polling.await(() -> transport.loadReads("b") >= 2);
      assertThat(router.workers().view("b").orElseThrow().reportedLoad()).isNull();
    }
  }

  @Test
  void rejectsTooShortIntervals() {
    assertThatThrownBy(() -> Router.builder().loadPolling(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loadPolling");
  }
}
