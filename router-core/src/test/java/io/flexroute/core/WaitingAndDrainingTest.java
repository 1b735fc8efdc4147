package io.flexroute.core;

import static io.flexroute.core.Polling.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.AdmissionPolicy;
import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.HealthState;
import io.flexroute.RequestTimeoutException;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterBuilder;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.WorkerException;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Requests waiting for a worker are woken by every kind of recovery and released by the router's
 * close; a draining worker finishes its requests and gets no new ones.
 */
class WaitingAndDrainingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeTransport transport = FakeTransport.create();

  private RouterBuilder builder(String... workers) {
    RouterBuilder b =
        Router.builder()
            .transport(transport)
            .strategy("round_robin")
            .retry(RetryPolicy.disabled())
            .admission(AdmissionPolicy.builder().queue(10, Duration.ofSeconds(30)).build())
            .defaultTimeout(Duration.ofSeconds(30));
    for (String w : workers) {
      b.worker(w, "http://" + w + ".invalid:1");
    }
    return b;
  }

  /** Whether the thread is blocked waiting for its stream's first worker. */
  private static boolean waitingForAWorker(Thread thread) {
    return thread.getState() == Thread.State.TIMED_WAITING
        && Arrays.stream(thread.getStackTrace())
            .anyMatch(f -> f.getMethodName().equals("awaitAttempt"));
  }

  @Test
  void closingTheRouterReleasesAStreamWaitingForAWorker() throws Exception {
    Router router = builder("a").build();
    router.workers().setHealth("a", HealthState.UNHEALTHY);
    AtomicReference<Thread> opener = new AtomicReference<>();
    CompletableFuture<Object> opened =
        CompletableFuture.supplyAsync(
            () -> {
              opener.set(Thread.currentThread());
              try (ResponseStream<GenerateChunk> s =
                  router.generateStream(GenerateRequest.ofText("x"))) {
                return s;
              } catch (RouterException e) {
                return e;
              }
            });
    await(() -> opener.get() != null && waitingForAWorker(opener.get()));
    router.close();
    // Well before the request's 30 s deadline: the waiter is released, not left to time out.
    assertThat(opened.get(10, TimeUnit.SECONDS)).isInstanceOf(RouterClosedException.class);
  }

  @Test
  void aWaitCutShortByTheDeadlineEndsAsATimeout() {
    try (Router router = builder("a").build()) {
      router.workers().setHealth("a", HealthState.UNHEALTHY);
      for (int i = 0; i < 20; i++) {
        GenerateRequest request =
            GenerateRequest.builder().text("x").timeout(Duration.ofMillis(5)).build();
        // The queue would let it wait 30 s: its deadline ended the wait, so it timed out.
        assertThatThrownBy(() -> router.generate(request))
            .isInstanceOf(RequestTimeoutException.class);
        assertThatThrownBy(() -> router.generateStream(request))
            .isInstanceOf(RequestTimeoutException.class);
      }
    }
  }

  @Test
  void aRequestEveryServingWorkerAlreadyFailedDoesNotWaitForThemToReturn() throws Exception {
    transport.behavior(
        "a",
        FakeTransport.Behavior.failWith(
            new WorkerException(
                "a", WorkerException.Kind.HTTP_STATUS, 429, "slow down", null,
                Duration.ofSeconds(60), null)));
    try (Router router =
        builder("a")
            .retry(RetryPolicy.builder().initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build())
            .build()) {
      // Its only worker failed it and is parked for a minute; it would be excluded even after
      // that, so waiting in the queue (30 s) can only end in the same failure: it fails now.
      CompletableFuture<GenerateResult> f = router.generateAsync(GenerateRequest.ofText("x"));
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(WorkerException.class)
          .satisfies(e -> assertThat(((WorkerException) e).statusCode()).isEqualTo(429));
    }
  }

  @Test
  void aWaitingRequestIsWokenWhenTheBreakerHalfOpens() throws Exception {
    transport.behavior(
        "a",
        FakeTransport.Behavior.failWith(
            new WorkerException("a", WorkerException.Kind.HTTP_STATUS, 503, "down", null, null)));
    try (Router router =
        builder("a")
            .circuitBreaker(
                CircuitBreakerPolicy.builder()
                    .failureThreshold(1)
                    // Long enough that the second request comes while it is open and waits.
                    .openDuration(Duration.ofSeconds(1))
                    .build())
            .build()) {
      WorkerView a = router.workers().view("a").orElseThrow();
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(WorkerException.class);
      assertThat(a.breakerState()).isEqualTo(BreakerState.OPEN);
      transport.behavior("a", FakeTransport.Behavior.SUCCEED);
      CompletableFuture<GenerateResult> waiting = router.generateAsync(GenerateRequest.ofText("y"));
      assertThat(waiting.get(10, TimeUnit.SECONDS).workerId()).isEqualTo("a");
      assertThat(a.breakerState()).isNotEqualTo(BreakerState.OPEN);
    }
  }

  @Test
  void aWaitingRequestIsWokenWhenTheRateLimitParkingEnds() throws Exception {
    transport.behavior(
        "a",
        FakeTransport.Behavior.failWith(
            new WorkerException(
                "a", WorkerException.Kind.HTTP_STATUS, 429, "slow down", null,
                Duration.ofMillis(200), null)));
    try (Router router = builder("a").circuitBreaker(CircuitBreakerPolicy.disabled()).build()) {
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(WorkerException.class)
          .satisfies(e -> assertThat(((WorkerException) e).statusCode()).isEqualTo(429));
      transport.behavior("a", FakeTransport.Behavior.SUCCEED);
      CompletableFuture<GenerateResult> waiting = router.generateAsync(GenerateRequest.ofText("y"));
      assertThat(waiting.get(10, TimeUnit.SECONDS).workerId()).isEqualTo("a");
    }
  }

  @Test
  void drainingFinishesRunningRequestsAndSurvivesHealthProbes() throws Exception {
    transport.behavior(FakeTransport.Behavior.HOLD);
    try (Router router =
        builder("a", "b")
            .healthChecks(HealthCheckPolicy.builder()
                    .interval(Duration.ofMillis(10))
                    .failureThreshold(2)
                    .build())
            .build()) {
      CompletableFuture<GenerateResult> running = router.generateAsync(GenerateRequest.ofText("x"));
      FakeCall call = transport.awaitCall(WAIT);
      String drained = call.workerId();
      String other = drained.equals("a") ? "b" : "a";
      router.workers().setHealth(drained, HealthState.DRAINING);
      for (int i = 0; i < 6; i++) {
        CompletableFuture<GenerateResult> f = router.generateAsync(GenerateRequest.ofText("y" + i));
        FakeCall next = transport.awaitCall(WAIT);
        assertThat(next.workerId()).isEqualTo(other);
        next.complete();
        f.get(10, TimeUnit.SECONDS);
      }
      call.complete();
      assertThat(running.get(10, TimeUnit.SECONDS).workerId()).isEqualTo(drained);
      WorkerView view = router.workers().view(drained).orElseThrow();
      assertThat(view.inFlightRequests()).isZero();
      // Probes never change a draining worker's state: only the operator does. Once the other
      // worker was marked unhealthy (two failed rounds), the draining one was probed too.
      transport.healthy("a", false).healthy("b", false);
      await(() -> router.workers().view(other).orElseThrow().health() == HealthState.UNHEALTHY);
      assertThat(view.health()).isEqualTo(HealthState.DRAINING);
    }
  }
}
