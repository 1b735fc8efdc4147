package io.flexroute.core;

import static io.flexroute.core.Polling.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.AdmissionPolicy;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.HealthState;
import io.flexroute.RequestRejectedException;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.WorkerException;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reactive streams honour demand, complete, fail and cancel as the Flow contract says. */
class StreamPublisherTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeTransport transport =
      FakeTransport.create().behavior(FakeTransport.Behavior.HOLD);
  private final Router router =
      Router.builder().transport(transport).worker("a", "http://a:1").build();

  @AfterEach
  void tearDown() {
    router.close();
  }

  /** Records signals; requests nothing by itself. */
  private static final class Recorder implements Flow.Subscriber<GenerateChunk> {
    final LinkedBlockingQueue<String> signals = new LinkedBlockingQueue<>();
    final List<GenerateChunk> items = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<Throwable> error = new AtomicReference<>();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
    }

    @Override
    public void onNext(GenerateChunk item) {
      items.add(item);
      signals.add("next:" + item.textDelta());
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
      signals.add("error");
      done.countDown();
    }

    @Override
    public void onComplete() {
      signals.add("complete");
      done.countDown();
    }
  }

  @Test
  void deliversNoMoreThanRequested() throws Exception {
    Recorder r = new Recorder();
    router.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
    assertThat(transport.calls()).isEmpty(); // cold: nothing is sent before demand
    r.subscription.request(1);
    FakeCall call = transport.awaitCall(WAIT);
    call.emit("a");
    call.emit("b");
    call.emit("c");
    assertThat(r.signals.poll(10, TimeUnit.SECONDS)).isEqualTo("next:a");
    // b and c are available, but only one item was requested: nothing more may arrive. The
    // subscription has no pending work, so its drain loop has returned; requesting again resumes.
    assertThat(r.items).hasSize(1);
    r.subscription.request(2);
    assertThat(r.signals.poll(10, TimeUnit.SECONDS)).isEqualTo("next:b");
    assertThat(r.signals.poll(10, TimeUnit.SECONDS)).isEqualTo("next:c");
    call.end();
    r.subscription.request(Long.MAX_VALUE);
    assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.signals).containsExactly("next:", "complete");
    assertThat(router.workers().view("a").orElseThrow().inFlightRequests()).isZero();
  }

  @Test
  void aRefusedRequest_reachesTheSubscriberAsOnError_andTheAsyncCallAsAFailedFuture()
      throws Exception {
    GenerateRequest twoSamples =
        GenerateRequest.builder()
            .text("hi")
            .sampling(SamplingParams.builder().n(2).build())
            .build();

    Recorder r = new Recorder();
    router.generatePublisher(twoSamples).subscribe(r);
    r.subscription.request(1);
    assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.error.get())
        .isInstanceOfSatisfying(
            RequestRejectedException.class,
            e -> assertThat(e.reason())
                .isEqualTo(RequestRejectedException.Reason.UNSUPPORTED));

    CompletableFuture<?> async = router.generateAsync(twoSamples);
    assertThat(async).isCompletedExceptionally();
    assertThat(transport.calls()).isEmpty();
  }

  @Test
  void aFullExecutorOfTheCallers_rejectsTheStreamAsALimitNotAsAClosedRouter() throws Exception {
    java.util.concurrent.ThreadPoolExecutor full =
        new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 0, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>());
    CountDownLatch release = new CountDownLatch(1);
    full.execute(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try (Router busy =
        Router.builder().transport(transport).worker("a", "http://a:1").executor(full).build()) {
      Recorder r = new Recorder();
      busy.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
      r.subscription.request(1);

      assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(r.error.get())
          .isInstanceOfSatisfying(
              RequestRejectedException.class,
              e -> assertThat(e.reason())
                  .isEqualTo(RequestRejectedException.Reason.LIMIT_REACHED));
    } finally {
      release.countDown();
      full.shutdown();
    }
  }

  @Test
  void workerErrorBecomesOnError() throws Exception {
    Recorder r = new Recorder();
    router.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
    r.subscription.request(10);
    FakeCall call = transport.awaitCall(WAIT);
    call.failStream(
        new WorkerException("a", WorkerException.Kind.STREAM_ERROR, 0, "broken", null, null));
    assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.error.get()).isInstanceOf(WorkerException.class);
    assertThat(router.workers().view("a").orElseThrow().inFlightRequests()).isZero();
  }

  /** Whether the thread exists and waits for a worker (other tests' threads do not count). */
  private static boolean waitsForAWorker(AtomicReference<Thread> thread) {
    Thread t = thread.get();
    return t != null
        && Arrays.stream(t.getStackTrace())
            .anyMatch(f -> f.getMethodName().equals("awaitAttempt"));
  }

  @Test
  void cancelWhileWaitingForAWorkerEndsTheWait_andTheThreadServesTheNextSubscription()
      throws Exception {
    AtomicReference<Thread> executorThread = new AtomicReference<>();
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread t = new Thread(task, "publisher-test-executor");
              t.setDaemon(true);
              executorThread.set(t);
              return t;
            });
    try (Router waiting =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .executor(executor)
            .admission(AdmissionPolicy.builder().queue(10, Duration.ofSeconds(60)).build())
            .defaultTimeout(Duration.ofSeconds(60))
            .build()) {
      waiting.workers().setHealth("a", HealthState.UNHEALTHY);
      Recorder r = new Recorder();
      waiting.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
      r.subscription.request(1);
      await(() -> waitsForAWorker(executorThread));

      r.subscription.cancel();
      // The wait ends now, not when a worker comes back or the 60 s run out.
      await(() -> !waitsForAWorker(executorThread));
      waiting.workers().setHealth("a", HealthState.HEALTHY);
      assertThat(transport.calls()).isEmpty();
      assertThat(r.signals).isEmpty();

      // The same (only) executor thread opens the next stream normally: no interrupt is left on it.
      Recorder next = new Recorder();
      waiting.generatePublisher(GenerateRequest.ofText("again")).subscribe(next);
      next.subscription.request(5);
      FakeCall call = transport.awaitCall(WAIT);
      call.emit("x");
      call.end();
      assertThat(next.done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(next.error.get()).isNull();
      assertThat(next.signals).contains("next:x", "complete");
      assertThat(transport.calls()).hasSize(1);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void nonPositiveRequestIsAnError() throws Exception {
    Recorder r = new Recorder();
    router.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
    r.subscription.request(0);
    assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.error.get()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void completesWithoutMoreDemandOnceTheLastChunkWasDelivered() throws Exception {
    Recorder r = new Recorder();
    router.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
    r.subscription.request(2); // exactly the answer's chunks; the subscriber asks no more
    FakeCall call = transport.awaitCall(WAIT);
    call.emit("a");
    call.end();

    // Terminal signals need no demand (rules 1.4, 1.5): the request must not hang to its
    // deadline holding the worker's slot.
    assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(r.signals).containsExactly("next:a", "next:", "complete");
    await(() -> router.workers().view("a").orElseThrow().inFlightRequests() == 0);
  }

  @Test
  void aDeadlineWithNoDemand_reachesTheSubscriber_andIsNotTheWorkersFault() throws Exception {
    try (Router slowReader =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .defaultTimeout(Duration.ofMillis(300))
            .circuitBreaker(io.flexroute.CircuitBreakerPolicy.builder().failureThreshold(1).build())
            .build()) {
      Recorder r = new Recorder();
      slowReader.generatePublisher(GenerateRequest.ofText("hi")).subscribe(r);
      r.subscription.request(1);
      FakeCall call = transport.awaitCall(WAIT);
      call.emit("a");
      assertThat(r.signals.poll(10, TimeUnit.SECONDS)).isEqualTo("next:a");

      // The subscriber holds on to its chunk past the deadline, asking for nothing more.
      assertThat(r.done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(r.error.get()).isInstanceOf(io.flexroute.RequestTimeoutException.class);
      io.flexroute.spi.WorkerView a = slowReader.workers().view("a").orElseThrow();
      assertThat(a.inFlightRequests()).isZero();
      // The worker had answered all that was asked: its breaker does not count the deadline.
      assertThat(a.breakerState()).isEqualTo(io.flexroute.spi.BreakerState.CLOSED);
    }
  }

  @Test
  void noSignalRunsWhileOnSubscribeDoes() throws Exception {
    router.close(); // the executor is gone: the refusal would be signalled inside request(1)
    java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean signalledInside =
        new java.util.concurrent.atomic.AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    router.generatePublisher(GenerateRequest.ofText("hi")).subscribe(
        new Flow.Subscriber<GenerateChunk>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            s.request(1);
            returned.set(true);
          }

          @Override
          public void onNext(GenerateChunk item) {}

          @Override
          public void onError(Throwable t) {
            signalledInside.set(!returned.get());
            done.countDown();
          }

          @Override
          public void onComplete() {
            done.countDown();
          }
        });

    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(signalledInside).isFalse();
  }
}
