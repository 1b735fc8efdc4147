package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateRequest;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterBuilder;
import io.flexroute.RouterClosedException;
import io.flexroute.WorkerException;
import io.flexroute.spi.Transport;
import io.flexroute.testkit.fake.FakeTransport;
import io.flexroute.testkit.fake.RecordingRouterListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Blocking calls run on the caller's thread, through the transport's blocking methods, retries
 * included; their deadline, an interrupt and the router closing end them as they end an
 * asynchronous call: the worker is told to abort and every slot comes back.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallerThreadCallTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeTransport fake = FakeTransport.create();
  private final List<String> calls = new CopyOnWriteArrayList<>();

  /** The fake transport, recording each method called on it with the calling thread. */
  private Transport recording() {
    return InterceptedTransport.wrap(
        fake, method -> calls.add(method.getName() + "@" + Thread.currentThread().getName()));
  }

  private RouterBuilder router() {
    return Router.builder()
        .transport(recording())
        .worker("a", "http://a.invalid:1")
        .worker("b", "http://b.invalid:1");
  }

  private List<String> inferenceCalls() {
    return calls.stream()
        .filter(c -> c.startsWith("generate") || c.startsWith("chat") || c.startsWith("complete"))
        .toList();
  }

  private static int inFlight(Router router) {
    return router.workers().views().stream().mapToInt(w -> w.inFlightRequests()).sum();
  }

  @Test
  void blockingCalls_runTheTransportsBlockingMethodsOnTheCallersThread() {
    String me = Thread.currentThread().getName();
    try (Router router = router().build()) {
      router.generate(GenerateRequest.ofText("x"));
      router.chat(ChatRequest.builder().message(ChatMessage.user("x")).build());
      router.complete(CompletionRequest.builder().prompt("x").build());
      assertThat(inferenceCalls())
          .containsExactly(
              "generateBlocking@" + me, "chatBlocking@" + me, "completeBlocking@" + me);
      assertThat(inFlight(router)).isZero();
    }
  }

  @Test
  void asynchronousCalls_keepTheTransportsAsynchronousMethods() throws Exception {
    try (Router router = router().build()) {
      router.generateAsync(GenerateRequest.ofText("x")).get(10, TimeUnit.SECONDS);
      assertThat(inferenceCalls()).hasSize(1).allMatch(c -> c.startsWith("generate@"));
    }
  }

  @Test
  void aFailedAttempt_isRetriedOnAnotherWorker_onTheCallersThread() {
    String me = Thread.currentThread().getName();
    fake.behavior("a", FakeTransport.Behavior.status(503));
    fake.behavior("b", FakeTransport.Behavior.status(503));
    try (Router router =
        router()
            .retry(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).build())
            .build()) {
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOfSatisfying(
              WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
      assertThat(inferenceCalls())
          .containsExactly("generateBlocking@" + me, "generateBlocking@" + me);
      assertThat(fake.calls()).extracting(c -> c.workerId()).containsExactlyInAnyOrder("a", "b");
      assertThat(inFlight(router)).isZero();
    }
  }

  @Test
  void whenEveryWorkerHasFailedTheRequest_itFailsAtOnceWithoutSchedulingAHopelessRetry() {
    fake.behavior("a", FakeTransport.Behavior.status(503));
    fake.behavior("b", FakeTransport.Behavior.status(503));
    RecordingRouterListener recorder = new RecordingRouterListener();
    try (Router router =
        router()
            .listener(recorder)
            .retry(RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(1)).build())
            .build()) {
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOfSatisfying(
              WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));

      // One retry, on the other worker; after its failure no worker is left to try.
      assertThat(fake.calls()).hasSize(2);
      assertThat(recorder.events("retryScheduled")).hasSize(1);
    }
  }

  @Test
  void theDeadline_endsABlockingCall_andAbortsItOnTheWorker() throws Exception {
    fake.behavior(FakeTransport.Behavior.HOLD);
    try (Router router = router().retry(RetryPolicy.disabled()).build()) {
      GenerateRequest request =
          GenerateRequest.builder().text("x").requestId("r-1").timeout(Duration.ofMillis(50)).build();
      assertThatThrownBy(() -> router.generate(request))
          .isInstanceOf(RequestTimeoutException.class);
      // The abort is sent from the router's executor.
      Polling.await(() -> fake.aborts().contains("r-1"));
      assertThat(fake.calls()).singleElement().matches(c -> c.isCancelled());
      assertThat(inFlight(router)).isZero();
    }
  }

  @Test
  void closingTheRouter_endsABlockingCall() throws Exception {
    fake.behavior(FakeTransport.Behavior.HOLD);
    Router router = router().build();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                router.generate(GenerateRequest.ofText("x"));
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    caller.start();
    fake.awaitCall(WAIT);
    router.close();
    caller.join(WAIT.toMillis());
    assertThat(caller.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(RouterClosedException.class);
  }

  @Test
  void anAnswerThatComesWithAnInterrupt_cancelsTheRequestButCountsTheAttemptAsASuccess() {
    List<io.flexroute.RequestOutcome> outcomes = new CopyOnWriteArrayList<>();
    io.flexroute.spi.RoutingStrategy recording =
        new io.flexroute.spi.RoutingStrategy() {
          @Override
          public String name() {
            return "recording";
          }

          @Override
          public io.flexroute.spi.Choice select(
              io.flexroute.spi.RequestView request, List<io.flexroute.spi.WorkerView> candidates) {
            return io.flexroute.spi.Choice.of(candidates.get(0));
          }

          @Override
          public void onComplete(io.flexroute.spi.RequestFeedback feedback) {
            outcomes.add(feedback.outcome());
          }
        };
    try (Router router = router().strategy(recording).build()) {
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(
                () -> router.generate(GenerateRequest.builder().text("x").requestId("r-9").build()))
            .isInstanceOf(RequestCancelledException.class);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(outcomes).containsExactly(io.flexroute.RequestOutcome.SUCCESS);
      assertThat(fake.aborts()).isEmpty();
      assertThat(inFlight(router)).isZero();
    }
  }

  @Test
  void anInterruptedCaller_cancelsTheRequest_andKeepsItsInterruptFlag() throws Exception {
    fake.behavior(FakeTransport.Behavior.HOLD);
    try (Router router = router().build()) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  router.generate(GenerateRequest.builder().text("x").requestId("r-2").build());
                } catch (Throwable t) {
                  thrown.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              });
      caller.start();
      fake.awaitCall(WAIT);
      caller.interrupt();
      caller.join(WAIT.toMillis());
      assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
      assertThat(stillInterrupted.get()).isTrue();
      Polling.await(() -> fake.aborts().contains("r-2"));
      assertThat(inFlight(router)).isZero();
    }
  }
}
