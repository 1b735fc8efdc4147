package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.GenerateRequest;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.WorkerException;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The meters the router publishes, with their names and tags. */
class MicrometerRouterMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeTransport transport = FakeTransport.create();

  private Router router() {
    return Router.builder()
        .transport(transport)
        .worker("a", "http://a:1")
        .strategy("round_robin")
        .listener(new MicrometerRouterMetrics(registry))
        .build();
  }

  @Test
  void countsRequestsByWorkerAndOutcome() {
    try (Router router = router()) {
      router.generate(GenerateRequest.ofText("hello"));
      router.generate(GenerateRequest.ofText("hello"));
      transport.behavior(FakeTransport.Behavior.status(500));
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("hello")))
          .isInstanceOf(WorkerException.class);
      assertThat(
              registry.get("flexroute.requests")
                  .tags("operation", "generate", "worker", "a", "outcome", "success")
                  .timer()
                  .count())
          .isEqualTo(2);
      assertThat(
              registry.get("flexroute.requests")
                  .tags("worker", "a", "outcome", "worker_error")
                  .timer()
                  .count())
          .isEqualTo(1);
      assertThat(
              registry.get("flexroute.selections")
                  .tags("strategy", "round_robin", "worker", "a")
                  .counter()
                  .count())
          .isEqualTo(3);
      assertThat(registry.get("flexroute.tokens").tags("type", "completion").counter().count())
          .isEqualTo(6);
    }
  }

  @Test
  void recordsTimeToFirstChunkOfStreams() {
    try (Router router = router();
        ResponseStream<io.flexroute.ChatChunk> stream =
            router.chatStream(ChatRequest.builder().message(ChatMessage.user("hi")).build())) {
      stream.forEach(c -> {});
      assertThat(
              registry.get("flexroute.ttft").tags("operation", "chat", "worker", "a").timer().count())
          .isEqualTo(1);
    }
  }

  @Test
  void inFlightGaugeFollowsTheGuardAndIsRemovedWithTheWorker() throws Exception {
    transport.behavior(FakeTransport.Behavior.HOLD);
    try (Router router = router()) {
      CompletableFuture<?> f = router.generateAsync(GenerateRequest.ofText("hello"));
      FakeCall call = transport.awaitCall(Duration.ofSeconds(10));
      assertThat(registry.get("flexroute.worker.inflight").tags("worker", "a").gauge().value())
          .isEqualTo(1.0);
      call.complete();
      f.get();
      assertThat(registry.get("flexroute.worker.inflight").tags("worker", "a").gauge().value())
          .isEqualTo(0.0);
      assertThat(registry.get("flexroute.worker.healthy").tags("worker", "a").gauge().value())
          .isEqualTo(1.0);
      router.workers().remove("a");
      assertThat(registry.find("flexroute.worker.inflight").tags("worker", "a").gauge()).isNull();
    }
  }

  @Test
  void rejectedRequestsAreTaggedWithNoWorker() {
    try (Router router = router()) {
      router.workers().remove("a");
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(io.flexroute.NoEligibleWorkerException.class);
      assertThat(
              registry.get("flexroute.requests")
                  .tags("worker", "none", "outcome", "rejected")
                  .timer()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void countsRetriesBreakerAndHealthTransitionsAndShowsBreakerAndParking() {
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .worker("b", "http://b:1")
            .strategy("round_robin")
            .circuitBreaker(
                io.flexroute.CircuitBreakerPolicy.builder().failureThreshold(1).build())
            .listener(new MicrometerRouterMetrics(registry))
            .build()) {
      transport.behavior("a", FakeTransport.Behavior.status(503));
      router.generate(GenerateRequest.ofText("x"));
      assertThat(
              registry.get("flexroute.retries")
                  .tags("worker", "a", "cause", "http_503")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(
              registry.get("flexroute.breaker.transitions")
                  .tags("worker", "a", "state", "open")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("flexroute.worker.breaker.state").tags("worker", "a").gauge().value())
          .isEqualTo(2.0);
      assertThat(registry.get("flexroute.worker.breaker.state").tags("worker", "b").gauge().value())
          .isEqualTo(0.0);

      transport.behavior(
          "b",
          FakeTransport.Behavior.failWith(
              new WorkerException(
                  "b", WorkerException.Kind.HTTP_STATUS, 429, "slow", null,
                  Duration.ofSeconds(30), null)));
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("y")))
          .isInstanceOf(WorkerException.class);
      assertThat(registry.get("flexroute.worker.parked").tags("worker", "b").gauge().value())
          .isEqualTo(1.0);

      router.workers().setHealth("a", io.flexroute.HealthState.DRAINING);
      assertThat(
              registry.get("flexroute.worker.health.transitions")
                  .tags("worker", "a", "state", "draining")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void countsRejectionsByReason() {
    try (Router router = router()) {
      router.workers().setHealth("a", io.flexroute.HealthState.UNHEALTHY);
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(io.flexroute.NoEligibleWorkerException.class);
      router.close();
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(io.flexroute.RouterClosedException.class);
      assertThat(registry.get("flexroute.rejections").tags("reason", "no_worker").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("flexroute.rejections").tags("reason", "closed").counter().count())
          .isEqualTo(1);
    }
  }

  @Test
  void everyMeterOfARemovedWorkerGoesWithIt() {
    try (Router router = router()) {
      router.workers().add(io.flexroute.Worker.of("b", "http://b:1"));
      for (int i = 0; i < 4; i++) {
        router.generate(GenerateRequest.ofText("hello"));
      }
      assertThat(registry.find("flexroute.requests").tag("worker", "b").timers()).isNotEmpty();
      assertThat(registry.find("flexroute.selections").tag("worker", "b").counters()).isNotEmpty();

      router.workers().remove("b");

      // Worker ids change when pods are replaced: a departed worker's series must not stay.
      assertThat(registry.getMeters())
          .noneMatch(m -> "b".equals(m.getId().getTag("worker")));
      assertThat(registry.find("flexroute.requests").tag("worker", "a").timers()).isNotEmpty();
      // A worker added again under the id starts new meters.
      router.workers().add(io.flexroute.Worker.of("b", "http://b:1"));
      router.generate(GenerateRequest.ofText("hello"));
      router.generate(GenerateRequest.ofText("hello"));
      assertThat(
              registry.get("flexroute.requests").tags("worker", "b", "outcome", "success").timer()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void onlyRejectedRequestsCountAsRejections() throws Exception {
    transport.behavior(FakeTransport.Behavior.HOLD);
    Router router = router();
    java.util.concurrent.CompletableFuture<io.flexroute.GenerateResult> running =
        router.generateAsync(GenerateRequest.ofText("hello"));
    transport.awaitCall(java.time.Duration.ofSeconds(10));

    router.close(); // cancels the request a worker already had: cancelled, not rejected

    Polling.await(running::isDone); // the caller's future completes on the executor
    assertThat(running).isCompletedExceptionally();
    assertThat(registry.find("flexroute.rejections").counters()).isEmpty();
    assertThat(
            registry.get("flexroute.requests").tags("worker", "a", "outcome", "cancelled").timer()
                .count())
        .isEqualTo(1);
  }
}
