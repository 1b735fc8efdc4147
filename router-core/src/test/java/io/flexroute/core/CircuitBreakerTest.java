package io.flexroute.core;

import static io.flexroute.core.Polling.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestRejectedException;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.WorkerException;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which failures count against a worker's breaker, and how half-open probes are bounded. */
class CircuitBreakerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeTransport transport = FakeTransport.create();

  private Router router(CircuitBreakerPolicy breaker, String... workers) {
    var b =
        Router.builder()
            .transport(transport)
            .strategy("round_robin")
            .retry(RetryPolicy.disabled())
            .circuitBreaker(breaker);
    for (String w : workers) {
      b.worker(w, "http://" + w + ".invalid:1");
    }
    return b.build();
  }

  private static WorkerException status(String worker, int code) {
    return new WorkerException(
        worker, WorkerException.Kind.HTTP_STATUS, code, "fake " + code, null, null);
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 525})
  void workerFaultsOpenTheBreaker(int code) throws Exception {
    transport.behavior(FakeTransport.Behavior.HOLD);
    try (Router router = router(CircuitBreakerPolicy.builder().failureThreshold(3).build(), "a")) {
      // Three requests run at once, so a 429's parking cannot keep the later ones away.
      List<CompletableFuture<GenerateResult>> futures = new ArrayList<>();
      List<FakeCall> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(router.generateAsync(GenerateRequest.ofText("x" + i)));
        calls.add(transport.awaitCall(WAIT));
      }
      calls.forEach(c -> c.fail(status("a", code)));
      for (CompletableFuture<GenerateResult> f : futures) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(WorkerException.class);
      }
      assertThat(router.workers().view("a").orElseThrow().breakerState())
          .isEqualTo(BreakerState.OPEN);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 409, 413, 422})
  void requestFaultsNeverOpenTheBreakerNorAreRetried(int code) {
    transport.behavior(FakeTransport.Behavior.status(code));
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a.invalid:1")
            .worker("b", "http://b.invalid:1")
            .circuitBreaker(CircuitBreakerPolicy.builder().failureThreshold(1).build())
            .build()) {
      for (int i = 0; i < 6; i++) {
        assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
            .isInstanceOf(WorkerException.class)
            .satisfies(e -> assertThat(((WorkerException) e).statusCode()).isEqualTo(code));
      }
      // One call per request: a request fault is final, and no breaker opened.
      assertThat(transport.calls()).hasSize(6);
      assertThat(router.workers().views())
          .allSatisfy(w -> assertThat(w.breakerState()).isEqualTo(BreakerState.CLOSED));
    }
  }

  @Test
  void halfOpenAdmitsOnlyItsProbesAndIgnoresRequestsFromBeforeItOpened() throws Exception {
    transport.behavior(FakeTransport.Behavior.HOLD);
    try (Router router =
        router(
            CircuitBreakerPolicy.builder()
                .failureThreshold(2)
                .openDuration(Duration.ofMillis(50))
                .successThreshold(2)
                .halfOpenProbes(1)
                .build(),
            "a")) {
      WorkerView a = router.workers().view("a").orElseThrow();
      List<CompletableFuture<GenerateResult>> old = new ArrayList<>();
      List<FakeCall> oldCalls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        old.add(router.generateAsync(GenerateRequest.ofText("old" + i)));
        oldCalls.add(transport.awaitCall(WAIT));
      }
      oldCalls.get(0).fail(status("a", 500));
      oldCalls.get(1).fail(status("a", 500));
      // Opened (it may already be half-open: the timer can end the 50 ms before this line runs).
      assertThat(a.breakerState()).isNotEqualTo(BreakerState.CLOSED);
      await(() -> a.breakerState() == BreakerState.HALF_OPEN);

      CompletableFuture<GenerateResult> probe = router.generateAsync(GenerateRequest.ofText("p"));
      FakeCall probeCall = transport.awaitCall(WAIT);

      // A request sent before the breaker opened ends: it is no probe, so it neither frees the
      // probe's place nor counts towards closing the breaker.
      oldCalls.get(2).complete();
      old.get(2).get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> router.generateAsync(GenerateRequest.ofText("y")).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RequestRejectedException.class);
      // Its late fault does not reopen the breaker either.
      oldCalls.get(3).fail(status("a", 503));
      assertThat(a.breakerState()).isEqualTo(BreakerState.HALF_OPEN);

      probeCall.complete();
      probe.get(10, TimeUnit.SECONDS);
      assertThat(a.breakerState()).isEqualTo(BreakerState.HALF_OPEN);
      CompletableFuture<GenerateResult> second = router.generateAsync(GenerateRequest.ofText("q"));
      transport.awaitCall(WAIT).complete();
      second.get(10, TimeUnit.SECONDS);
      assertThat(a.breakerState()).isEqualTo(BreakerState.CLOSED);
      assertThat(a.inFlightRequests()).isZero();
    }
  }
}
