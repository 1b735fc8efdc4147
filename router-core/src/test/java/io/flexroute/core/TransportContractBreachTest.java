package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.HealthState;
import io.flexroute.RouterException;
import io.flexroute.Router;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.Transport;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A transport that breaks its contract (a null answer, an Error) fails the request at once with a
 * typed error and gives the worker's slot back; it never leaves a request hanging until its
 * deadline, or a blocking call's slot taken for good.
 */
class TransportContractBreachTest {

  private final BreachingTransport transport = new BreachingTransport();
  private final Router router =
      Router.builder()
          .transport(transport)
          .worker(Worker.of("w", "http://w.invalid:1"))
          .strategy("round_robin")
          .build();

  @AfterEach
  void tearDown() {
    router.close();
  }

  private static GenerateRequest prompt() {
    return GenerateRequest.builder().text("hi").build();
  }

  private void assertNothingInFlight() {
    assertThat(router.workers().views()).allSatisfy(w -> assertThat(w.inFlightRequests()).isZero());
  }

  @Test
  void aNullResultFailsABlockingCall() {
    assertThatThrownBy(() -> router.generate(prompt()))
        .isInstanceOf(RouterException.class)
        .hasRootCauseMessage("transport 'breaching' returned no result (null) for worker 'w'");
    assertNothingInFlight();
  }

  @Test
  void aNullResultFailsAnAsynchronousCallAtOnce() {
    // Without the check the request would end only at its 60-second deadline, as a timeout.
    CompletableFuture<GenerateResult> future = router.generateAsync(prompt());

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("transport 'breaching' returned no result (null) for worker 'w'");
    assertNothingInFlight();
  }

  @Test
  void aNullStreamFailsTheStream() {
    assertThatThrownBy(() -> router.generateStream(prompt()).close())
        .isInstanceOf(RouterException.class)
        .hasRootCauseMessage("transport 'breaching' returned no result (null) for worker 'w'");
    assertNothingInFlight();
  }

  @Test
  void anErrorOpeningAStreamEndsTheRequestBeforeItPropagates() {
    transport.throwError = true;

    assertThatThrownBy(() -> router.generateStream(prompt()))
        .isInstanceOf(AssertionError.class)
        .hasMessage("transport bug");
    // Without a timer to wait for: the slot is free at once.
    assertNothingInFlight();
    transport.throwError = false;
  }

  @Test
  void anErrorFromABlockingCallEndsTheRequestBeforeItPropagates() {
    transport.throwError = true;

    assertThatThrownBy(() -> router.generate(prompt()))
        .isInstanceOf(AssertionError.class)
        .hasMessage("transport bug");
    assertNothingInFlight();
    transport.throwError = false;
    assertThatThrownBy(() -> router.generate(prompt())).isInstanceOf(RouterException.class);
    assertNothingInFlight();
  }

  @Test
  void aHealthProbeWhoseFutureNeverCompletes_failsAfterItsDeadlineAndProbingGoesOn() {
    transport.hangHealthChecks = true;
    try (Router probed =
        Router.builder()
            .transport(transport)
            .worker(Worker.of("h", "http://h.invalid:1"))
            .healthChecks(
                HealthCheckPolicy.builder()
                    .interval(Duration.ofMillis(50))
                    .timeout(Duration.ofMillis(100))
                    .failureThreshold(1)
                    .build())
            .build()) {
      // The first probe hangs; it fails a second after its 100 ms deadline, which marks the
      // worker unhealthy, and the next probes are sent.
      Polling.await(
          () -> probed.workers().views().get(0).health() == HealthState.UNHEALTHY
              && transport.healthChecks.get() >= 2,
          Duration.ofSeconds(20));
    }
  }

  @Test
  void aProbeEndingAfterCloseChangesNothingListenersHear() {
    transport.hangHealthChecks = true;
    List<String> events = new CopyOnWriteArrayList<>();
    Router probed =
        Router.builder()
            .transport(transport)
            .worker(Worker.of("h", "http://h.invalid:1"))
            .healthChecks(
                HealthCheckPolicy.builder()
                    .interval(Duration.ofMillis(20))
                    .timeout(Duration.ofSeconds(30))
                    .failureThreshold(1)
                    .build())
            .listener(
                new RouterListener() {
                  @Override
                  public void healthChanged(
                      WorkerView worker, HealthState previous, HealthState current) {
                    events.add("health " + current);
                  }

                  @Override
                  public void routerClosed(List<Worker> workers) {
                    events.add("closed");
                  }
                })
            .build();
    Polling.await(() -> !transport.pendingHealthChecks.isEmpty(), Duration.ofSeconds(20));

    probed.close();
    transport.pendingHealthChecks.forEach(
        f -> f.completeExceptionally(new IllegalStateException("worker down")));

    assertThat(events).containsExactly("closed");
    assertThat(probed.workers().views().get(0).health()).isEqualTo(HealthState.HEALTHY);
  }

  /** Answers every generation with null (or throws an Error), breaking the Transport contract. */
  private static final class BreachingTransport implements Transport {
    volatile boolean throwError;
    volatile boolean hangHealthChecks;
    final AtomicInteger healthChecks = new AtomicInteger();
    final Queue<CompletableFuture<Void>> pendingHealthChecks = new ConcurrentLinkedQueue<>();

    @Override
    public String name() {
      return "breaching";
    }

    @Override
    public boolean supports(Worker worker) {
      return true;
    }

    @Override
    public CompletableFuture<GenerateResult> generate(
        Worker worker, GenerateRequest request, CallContext context) {
      if (throwError) {
        throw new AssertionError("transport bug");
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public ChunkSource<GenerateChunk> generateStream(
        Worker worker, GenerateRequest request, CallContext context) {
      if (throwError) {
        throw new AssertionError("transport bug");
      }
      return null;
    }

    @Override
    public CompletableFuture<ChatCompletion> chat(
        Worker worker, ChatRequest request, CallContext context) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public ChunkSource<ChatChunk> chatStream(
        Worker worker, ChatRequest request, CallContext context) {
      return null;
    }

    @Override
    public CompletableFuture<TextCompletion> complete(
        Worker worker, CompletionRequest request, CallContext context) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public ChunkSource<CompletionChunk> completeStream(
        Worker worker, CompletionRequest request, CallContext context) {
      return null;
    }

    @Override
    public CompletableFuture<Void> checkHealth(Worker worker, CallContext context) {
      healthChecks.incrementAndGet();
      if (hangHealthChecks) {
        CompletableFuture<Void> pending = new CompletableFuture<>();
        pendingHealthChecks.add(pending);
        return pending;
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}
