package io.flexroute.benchmarks.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.HealthState;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterBuilder;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.WorkerException;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.RecordingRouterListener;
import io.flexroute.testkit.grpc.FakeScheduler;
import io.flexroute.testkit.grpc.GrpcFault;
import io.flexroute.testkit.grpc.RecordedGenerate;
import io.flexroute.transport.grpc.GrpcTransport;
import io.grpc.Status;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's resilience over the gRPC transport, against two of the test kit's FakeSchedulers:
 * the retry, breaker, rate-limit parking, stream retry and token-stream resumption, health-check
 * and load-polling behaviour that router-core's tests check over HTTP and fake transports, here
 * driven by gRPC status codes and the scheduler's HealthCheck and GetLoads RPCs. Every test also checks
 * that the in-flight counts return to zero.
 *
 * <p>It lives here rather than in router-transport-grpc because it needs router-core and
 * router-testkit (see {@link RouterOverGrpcTest}).
 */
class RouterResilienceOverGrpcTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeScheduler bad = FakeScheduler.builder().tokensPerChunk(4).start();
  private final FakeScheduler good = FakeScheduler.builder().tokensPerChunk(4).start();
  private final GrpcTransport transport = GrpcTransport.create();
  private final RecordingRouterListener listener = new RecordingRouterListener();
  private Router router;

  @AfterEach
  void tearDown() {
    if (router != null) {
      assertThat(router.workers().views())
          .allSatisfy(w -> assertThat(w.inFlightRequests()).as(w.id()).isZero());
      router.close();
    }
    transport.close();
    bad.close();
    good.close();
  }

  private RouterBuilder builder() {
    return Router.builder()
        .transport(transport)
        .listener(listener)
        .worker("bad", bad.url())
        .worker("good", good.url())
        .strategy("round_robin")
        .retry(fastRetries());
  }

  private static RetryPolicy fastRetries() {
    return RetryPolicy.builder().initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build();
  }

  private static GenerateRequest rollout(int maxNewTokens) {
    return GenerateRequest.builder()
        .inputIds(TokenIds.of(151644, 872, 198, 3838))
        .sampling(
            SamplingParams.builder().maxNewTokens(maxNewTokens).ignoreEos(true).build())
        .returnLogprob(true)
        .timeout(WAIT)
        .build();
  }

  private WorkerView view(String id) {
    return router.workers().view(id).orElseThrow();
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  @Test
  void retryableStatuses_areRetriedOnTheOtherScheduler() {
    bad.enqueue(GrpcFault.status(Status.Code.UNAVAILABLE, "queue full"), 3);
    bad.enqueue(GrpcFault.status(Status.Code.INTERNAL, "scheduler failed"), 3);
    router = builder().circuitBreaker(CircuitBreakerPolicy.disabled()).build();

    for (int i = 0; i < 30 && bad.pendingFaults() > 0; i++) {
      assertThat(router.generate(rollout(8)).workerId()).isEqualTo("good");
    }

    assertThat(bad.pendingFaults()).isZero();
    assertThat(listener.events("retryScheduled")).hasSize(6);
  }

  @Test
  void requestFaults_areNotRetried() {
    bad.enqueue(GrpcFault.status(Status.Code.INVALID_ARGUMENT, "bad top_p"), 2);
    good.enqueue(GrpcFault.status(Status.Code.INVALID_ARGUMENT, "bad top_p"), 2);
    router = builder().build();

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> router.generate(rollout(8)))
          .isInstanceOfSatisfying(WorkerException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.isRetryable()).isFalse();
          });
    }

    assertThat(bad.requestCount() + good.requestCount()).isEqualTo(2);
    assertThat(listener.events("retryScheduled")).isEmpty();
  }

  @Test
  void connectionRefused_isRetriedOnTheOtherScheduler() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    router =
        Router.builder()
            .transport(transport)
            .listener(listener)
            .worker("gone", "grpc://127.0.0.1:" + closedPort)
            .worker("good", good.url())
            .strategy("round_robin")
            .retry(fastRetries())
            .build();

    for (int i = 0; i < 6; i++) {
      assertThat(router.generate(rollout(8)).workerId()).isEqualTo("good");
    }
    assertThat(listener.events("retryScheduled")).isNotEmpty();
  }

  @Test
  void breaker_opensOnServerFaultsAndRecoversThroughProbes() {
    bad.enqueue(GrpcFault.status(Status.Code.INTERNAL, "scheduler failed"), 3);
    router =
        builder()
            .retry(RetryPolicy.disabled())
            .circuitBreaker(
                CircuitBreakerPolicy.builder()
                    .failureThreshold(3)
                    // Long enough that the requests below all run while it is open.
                    .openDuration(Duration.ofSeconds(1))
                    .successThreshold(2)
                    .halfOpenProbes(1)
                    .build())
            .build();
    WorkerView badView = view("bad");

    for (int i = 0; i < 12 && badView.breakerState() == BreakerState.CLOSED; i++) {
      try {
        router.generate(rollout(8));
      } catch (WorkerException expected) {
        assertThat(expected.statusCode()).isEqualTo(500);
      }
    }
    assertThat(badView.breakerState()).isEqualTo(BreakerState.OPEN);
    long callsToBad = bad.requestCount();
    assertThat(callsToBad).isEqualTo(3);
    for (int i = 0; i < 5 && badView.breakerState() == BreakerState.OPEN; i++) {
      assertThat(router.generate(rollout(8)).workerId()).isEqualTo("good");
    }

    // No faults are left queued: once the open period ends, probes succeed and close it.
    await(() -> badView.breakerState() != BreakerState.OPEN);
    for (int i = 0; i < 20 && badView.breakerState() != BreakerState.CLOSED; i++) {
      router.generate(rollout(8));
    }
    assertThat(badView.breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(bad.requestCount()).isGreaterThan(callsToBad);
  }

  @Test
  void requestFaults_neverOpenTheBreaker() {
    bad.enqueue(GrpcFault.status(Status.Code.INVALID_ARGUMENT, "bad request"), 10);
    good.enqueue(GrpcFault.status(Status.Code.INVALID_ARGUMENT, "bad request"), 10);
    router =
        builder()
            .circuitBreaker(CircuitBreakerPolicy.builder().failureThreshold(2).build())
            .build();

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> router.generate(rollout(8))).isInstanceOf(WorkerException.class);
    }

    assertThat(view("bad").breakerState()).isEqualTo(BreakerState.CLOSED);
    assertThat(view("good").breakerState()).isEqualTo(BreakerState.CLOSED);
  }

  @Test
  void resourceExhausted_parksTheSchedulerLikeA429() {
    bad.enqueue(GrpcFault.status(Status.Code.RESOURCE_EXHAUSTED, "too many requests"), 5);
    router =
        builder()
            .circuitBreaker(
                CircuitBreakerPolicy.builder().rateLimitPark(Duration.ofMinutes(1)).build())
            .build();

    for (int i = 0; i < 10; i++) {
      assertThat(router.generate(rollout(8)).workerId()).isEqualTo("good");
    }

    assertThat(view("bad").parkedUntilNanos()).isNotEqualTo(Long.MIN_VALUE);
    // Only the first request found out; the parked scheduler saw nothing more.
    assertThat(bad.requestCount()).isEqualTo(1);
  }

  @Test
  void stream_isRetriedElsewhereBeforeItsFirstChunk() {
    bad.enqueue(GrpcFault.status(Status.Code.UNAVAILABLE, "queue full"), 4);
    router = builder().circuitBreaker(CircuitBreakerPolicy.disabled()).build();

    for (int i = 0; i < 20 && bad.pendingFaults() > 0; i++) {
      int tokens = 0;
      try (ResponseStream<GenerateChunk> stream = router.generateStream(rollout(8))) {
        for (GenerateChunk chunk : stream) {
          tokens += chunk.newOutputIds().size();
        }
        assertThat(stream.workerId()).isEqualTo("good");
      }
      assertThat(tokens).isEqualTo(8);
    }
    assertThat(bad.pendingFaults()).isZero();
  }

  @Test
  void brokenTokenStream_resumesOnTheOtherSchedulerWithoutDuplicates() {
    bad.enqueue(GrpcFault.midStream(4, Status.Code.UNAVAILABLE, "scheduler restarting"), 4);
    router = builder().circuitBreaker(CircuitBreakerPolicy.disabled()).build();

    boolean resumed = false;
    for (int i = 0; i < 20 && bad.pendingFaults() > 0; i++) {
      List<GenerateChunk> chunks = new ArrayList<>();
      try (ResponseStream<GenerateChunk> stream = router.generateStream(rollout(16))) {
        stream.forEach(chunks::add);
      }
      int tokens = 0;
      for (GenerateChunk c : chunks) {
        tokens += c.newOutputIds().size();
        // Counts continue across the break and match what was delivered: nothing twice.
        assertThat(c.completionTokens()).isEqualTo(tokens);
      }
      assertThat(tokens).isEqualTo(16);
      GenerateChunk last = chunks.get(chunks.size() - 1);
      assertThat(last.usage().promptTokens()).isEqualTo(4);
      assertThat(last.usage().completionTokens()).isEqualTo(16);
    }
    for (RecordedGenerate r : good.requests()) {
      if (r.inputIds().size() == 8) {
        // The resumed request: the prompt plus the 4 tokens delivered, asking for the other 12.
        assertThat(r.inputIds().subList(0, 4)).isEqualTo(TokenIds.of(151644, 872, 198, 3838));
        assertThat(r.maxNewTokens()).isEqualTo(12);
        resumed = true;
      }
    }
    assertThat(bad.pendingFaults()).isZero();
    assertThat(resumed).isTrue();
  }

  @Test
  void healthChecks_overTheHealthCheckRpc_markAndRecoverAScheduler() {
    router =
        builder()
            .healthChecks(
                HealthCheckPolicy.builder()
                    .interval(Duration.ofMillis(20))
                    .failureThreshold(2)
                    .successThreshold(2)
                    .build())
            .build();

    bad.setHealthy(false);
    await(() -> view("bad").health() == HealthState.UNHEALTHY);
    long callsToBad = bad.requestCount();
    for (int i = 0; i < 5; i++) {
      assertThat(router.generate(rollout(8)).workerId()).isEqualTo("good");
    }
    assertThat(bad.requestCount()).isEqualTo(callsToBad);

    bad.setHealthy(true);
    await(() -> view("bad").health() == HealthState.HEALTHY);
  }

  @Test
  void loadPolling_overGetLoads_feedsTheStrategies() throws Exception {
    bad.setTokenUsage(0.9);
    good.setTokenUsage(0.1);
    bad.enqueue(GrpcFault.stall(0));
    router = builder().strategy("least_token_work").loadPolling(Duration.ofMillis(20)).build();
    WorkerView badView = view("bad");
    WorkerView goodView = view("good");

    // A call held on the busy scheduler (sent by another router) shows in its reported load.
    try (Router direct =
        Router.builder().transport(transport).worker("bad", bad.url())
            .retry(RetryPolicy.disabled()).build()) {
      CompletableFuture<GenerateResult> held = direct.generateAsync(rollout(8));
      assertThat(bad.awaitActiveRequests(1, WAIT)).isTrue();
      await(() -> {
        WorkerLoad load = badView.reportedLoad();
        return load != null && load.runningRequests() == 1;
      });
      assertThat(badView.reportedLoad().kvCacheUsage()).isEqualTo(0.9);
      await(() -> goodView.reportedLoad() != null);
      assertThat(goodView.reportedLoad().kvCacheUsage()).isEqualTo(0.1);
      assertThat(goodView.reportedLoad().runningRequests()).isZero();

      // The token-work strategy weighs the reported KV-cache pressure: every request goes to the
      // scheduler that reports the emptier cache.
      for (int i = 0; i < 6; i++) {
        assertThat(router.generate(rollout(8)).workerId()).isEqualTo("good");
      }
      assertThat(bad.requestCount()).isEqualTo(1);

      held.cancel(true);
      assertThat(bad.awaitIdle(WAIT)).isTrue();
    }
  }
}
