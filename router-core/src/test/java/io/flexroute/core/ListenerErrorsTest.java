package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.GenerateRequest;
import io.flexroute.HealthState;
import io.flexroute.RequestOutcome;
import io.flexroute.Router;
import io.flexroute.Worker;
import io.flexroute.WorkerChangeListener;
import io.flexroute.WorkerException;
import io.flexroute.TokenUsage;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A listener that throws an Error (here a class missing from an optional jar) neither wedges the
 * router's event delivery nor keeps a breaker open nor leaves a request unanswered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListenerErrorsTest {

  /** Throws on every event it hears. */
  private static final class BrokenListener extends RouterListener {
    @Override
    public void requestFinished(
        RequestView request,
        WorkerView worker,
        RequestOutcome outcome,
        Duration duration,
        TokenUsage usage,
        Throwable error) {
      throw new NoClassDefFoundError("io/tracing/Span");
    }

    @Override
    public void breakerStateChanged(
        WorkerView worker, BreakerState previous, BreakerState current) {
      throw new NoClassDefFoundError("io/tracing/Span");
    }

    @Override
    public void workerAdded(WorkerView worker) {
      throw new NoClassDefFoundError("io/tracing/Span");
    }

    @Override
    public void healthChanged(WorkerView worker, HealthState previous, HealthState current) {
      throw new NoClassDefFoundError("io/tracing/Span");
    }
  }

  @Test
  void requestsBreakersAndWorkerEventsCarryOn() throws Exception {
    FakeTransport transport = FakeTransport.create();
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker(Worker.of("a", "http://a.invalid:1"))
            .strategy("round_robin")
            .circuitBreaker(
                CircuitBreakerPolicy.builder()
                    .failureThreshold(1)
                    .openDuration(Duration.ofMillis(50))
                    .build())
            .listener(new BrokenListener())
            .build()) {
      List<String> added = new CopyOnWriteArrayList<>();
      router.workers().addListener(
          new WorkerChangeListener() {
            @Override
            public void workerAdded(Worker worker) {
              added.add(worker.id());
            }
          });

      // The answer reaches the caller although requestFinished throws.
      assertThat(router.generateAsync(GenerateRequest.ofText("x")).get(10, TimeUnit.SECONDS))
          .isNotNull();

      // The breaker opens (its listener throws) and still moves on after its open period.
      transport.behavior(FakeTransport.Behavior.status(503));
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("y")))
          .isInstanceOf(WorkerException.class);
      Polling.await(
          () -> router.workers().view("a").orElseThrow().breakerState() != BreakerState.OPEN);

      // Registry events are still delivered after a listener threw in one.
      router.workers().add(Worker.of("b", "http://b.invalid:1"));
      router.workers().add(Worker.of("c", "http://c.invalid:1"));
      assertThat(added).containsExactly("b", "c");
    }
  }
}
