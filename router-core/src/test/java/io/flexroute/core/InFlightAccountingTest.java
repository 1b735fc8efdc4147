package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ChatChunk;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestTimeoutException;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterClosedException;
import io.flexroute.WorkerException;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import io.flexroute.testkit.fake.RecordingRouterListener;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-flight guard is released exactly once on every way a request can end; the strategy and the
 * listeners hear about each request exactly once.
 */
class InFlightAccountingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeTransport transport = FakeTransport.create().behavior(FakeTransport.Behavior.HOLD);
  private final RecordingRouterListener listener = new RecordingRouterListener();
  private final List<RequestFeedback> feedback = new CopyOnWriteArrayList<>();
  private Router router;

  @BeforeEach
  void setUp() {
    RoutingStrategy first =
        new RoutingStrategy() {
          @Override
          public String name() {
            return "first";
          }

          @Override
          public io.flexroute.spi.Choice select(
              io.flexroute.spi.RequestView request, List<WorkerView> candidates) {
            return io.flexroute.spi.Choice.of(candidates.get(0));
          }

          @Override
          public void onComplete(RequestFeedback f) {
            feedback.add(f);
          }
        };
    router =
        Router.builder()
            .transport(transport)
            .worker("w1", "http://w1.invalid:30000")
            .strategy(first)
            .listener(listener)
            // Accounting is tested on its own: a breaker opening would turn requests away.
            .circuitBreaker(io.flexroute.CircuitBreakerPolicy.disabled())
            .build();
  }

  @AfterEach
  void tearDown() {
    router.close();
  }

  private int inFlight() {
    return router.workers().view("w1").orElseThrow().inFlightRequests();
  }

  private long inFlightTokens() {
    return router.workers().view("w1").orElseThrow().inFlightTokens();
  }

  private void assertReleasedOnce(RequestOutcome outcome) throws InterruptedException {
    List<RecordingRouterListener.Event> finished = listener.awaitFinished(1, WAIT);
    assertThat(finished).hasSize(1);
    assertThat(finished.get(0).outcome()).isEqualTo(outcome);
    assertThat(inFlight()).isZero();
    assertThat(inFlightTokens()).isZero();
    assertThat(feedback).hasSize(1);
    assertThat(feedback.get(0).outcome()).isEqualTo(outcome);
  }

  private static GenerateRequest prompt() {
    return GenerateRequest.ofText("The quick brown fox jumps over the lazy dog");
  }

  @Test
  void success_releasesOnce() throws Exception {
    CompletableFuture<GenerateResult> f = router.generateAsync(prompt());
    FakeCall call = transport.awaitCall(WAIT);
    assertThat(inFlight()).isEqualTo(1);
    assertThat(inFlightTokens()).isPositive();
    call.complete();
    assertThat(f.get(10, TimeUnit.SECONDS).workerId()).isEqualTo("w1");
    assertReleasedOnce(RequestOutcome.SUCCESS);
  }

  @Test
  void workerError_releasesOnce() throws Exception {
    CompletableFuture<GenerateResult> f = router.generateAsync(prompt());
    FakeCall call = transport.awaitCall(WAIT);
    call.fail(new WorkerException("w1", WorkerException.Kind.HTTP_STATUS, 500, "boom", null, null));
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(WorkerException.class);
    assertReleasedOnce(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void timeout_releasesOnceAndCancelsTheCall() throws Exception {
    CompletableFuture<GenerateResult> f =
        router.generateAsync(prompt().toBuilder().timeout(Duration.ofMillis(50)).build());
    FakeCall call = transport.awaitCall(WAIT);
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RequestTimeoutException.class);
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertReleasedOnce(RequestOutcome.TIMEOUT);
    // A late answer from the worker changes nothing.
    call.complete();
    assertThat(inFlight()).isZero();
    assertThat(listener.events("requestFinished")).hasSize(1);
  }

  @Test
  void blockingTimeout_throwsTypedException() throws Exception {
    assertThatThrownBy(
            () -> router.generate(prompt().toBuilder().timeout(Duration.ofMillis(30)).build()))
        .isInstanceOf(RequestTimeoutException.class)
        .hasMessageContaining("timed out");
    assertReleasedOnce(RequestOutcome.TIMEOUT);
  }

  @Test
  void callerCancel_releasesOnceAndCancelsTheCall() throws Exception {
    CompletableFuture<GenerateResult> f = router.generateAsync(prompt());
    FakeCall call = transport.awaitCall(WAIT);
    assertThat(f.cancel(true)).isTrue();
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
    assertReleasedOnce(RequestOutcome.CANCELLED);
  }

  @Test
  void interruptedBlockingCall_releasesOnce() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                router.generate(prompt());
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    caller.start();
    FakeCall call = transport.awaitCall(WAIT);
    caller.interrupt();
    caller.join(WAIT.toMillis());
    assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertReleasedOnce(RequestOutcome.CANCELLED);
  }

  @Test
  void streamEnd_releasesOnceWithUsage() throws Exception {
    try (ResponseStream<ChatChunk> stream =
        router.chatStream(ChatRequest.builder().message(ChatMessage.user("hi")).build())) {
      FakeCall call = transport.awaitCall(WAIT);
      call.emit("a");
      call.emit("b");
      call.end();
      StringBuilder text = new StringBuilder();
      stream.forEach(c -> text.append(c.content()));
      assertThat(text.toString()).isEqualTo("ab");
    }
    assertReleasedOnce(RequestOutcome.SUCCESS);
    assertThat(listener.events("firstChunk")).hasSize(1);
    assertThat(listener.events("requestFinished").get(0).usage()).isNotNull();
  }

  @Test
  void streamClosedEarly_cancelsAndReleasesOnce() throws Exception {
    ResponseStream<GenerateChunk> stream = router.generateStream(prompt());
    FakeCall call = transport.awaitCall(WAIT);
    call.emit("a");
    Iterator<GenerateChunk> it = stream.iterator();
    assertThat(it.next().textDelta()).isEqualTo("a");
    stream.close();
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertThat(call.isSourceClosed()).isTrue();
    assertReleasedOnce(RequestOutcome.CANCELLED);
    stream.close();
    assertThat(listener.events("requestFinished")).hasSize(1);
  }

  @Test
  void streamCancelledWhileReaderBlocks_wakesReader() throws Exception {
    ResponseStream<GenerateChunk> stream = router.generateStream(prompt());
    transport.awaitCall(WAIT);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              Iterator<GenerateChunk> it = stream.iterator();
              try {
                it.hasNext();
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    reader.start();
    // Cancel only once the reader is parked waiting for a chunk, so that the cancel must wake it.
    Polling.await(() -> blockedIn(reader, "hasNext"));
    stream.cancel();
    reader.join(WAIT.toMillis());
    assertThat(reader.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
    assertReleasedOnce(RequestOutcome.CANCELLED);
  }

  @Test
  void streamErrorMidway_releasesOnceAndThrowsWorkerError() throws Exception {
    ResponseStream<GenerateChunk> stream = router.generateStream(prompt());
    FakeCall call = transport.awaitCall(WAIT);
    call.emit("a");
    call.failStream(
        new WorkerException("w1", WorkerException.Kind.STREAM_ERROR, 0, "oops", null, null));
    Iterator<GenerateChunk> it = stream.iterator();
    assertThat(it.next().textDelta()).isEqualTo("a");
    assertThatThrownBy(it::hasNext).isInstanceOf(WorkerException.class);
    stream.close();
    assertReleasedOnce(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void streamDeadline_releasesEvenIfNobodyReads() throws Exception {
    ResponseStream<GenerateChunk> stream =
        router.generateStream(prompt().toBuilder().timeout(Duration.ofMillis(50)).build());
    FakeCall call = transport.awaitCall(WAIT);
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertReleasedOnce(RequestOutcome.TIMEOUT);
    assertThatThrownBy(() -> stream.iterator().hasNext())
        .isInstanceOf(RequestTimeoutException.class);
    stream.close();
  }

  @Test
  void streamOpenFailure_releasesOnce() throws Exception {
    transport.behavior(FakeTransport.Behavior.status(503));
    ResponseStream<GenerateChunk> stream = router.generateStream(prompt());
    assertThatThrownBy(() -> stream.iterator().hasNext()).isInstanceOf(WorkerException.class);
    assertReleasedOnce(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void publisherCancel_releasesOnce() throws Exception {
    Flow.Publisher<GenerateChunk> publisher = router.generatePublisher(prompt());
    CountDownLatch gotOne = new CountDownLatch(1);
    AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    publisher.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            s.request(1);
          }

          @Override
          public void onNext(GenerateChunk item) {
            gotOne.countDown();
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    FakeCall call = transport.awaitCall(WAIT);
    call.emit("a");
    assertThat(gotOne.await(10, TimeUnit.SECONDS)).isTrue();
    subscription.get().cancel();
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertReleasedOnce(RequestOutcome.CANCELLED);
  }

  @Test
  void routerClose_cancelsRunningRequestsAndReleases() throws Exception {
    CompletableFuture<GenerateResult> f = router.generateAsync(prompt());
    FakeCall call = transport.awaitCall(WAIT);
    router.close();
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RouterClosedException.class);
    assertThat(call.awaitCancelled(WAIT)).isTrue();
    assertReleasedOnce(RequestOutcome.CANCELLED);
    assertThatThrownBy(() -> router.generate(prompt())).isInstanceOf(RouterClosedException.class);
  }

  @Test
  void manyConcurrentRequestsOnAllPaths_endAtZero() throws Exception {
    transport.behavior(
        call -> {
          int kind = Math.floorMod(call.requestId().hashCode(), 3);
          if (kind == 0) {
            return FakeTransport.Action.SUCCEED;
          }
          if (kind == 1) {
            call.fail(
                new WorkerException("w1", WorkerException.Kind.HTTP_STATUS, 500, "x", null, null));
          }
          return FakeTransport.Action.HOLD;
        });
    int n = 300;
    List<CompletableFuture<GenerateResult>> futures = new CopyOnWriteArrayList<>();
    Thread[] threads = new Thread[6];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < n / 6; i++) {
                  CompletableFuture<GenerateResult> f =
                      router.generateAsync(
                          prompt().toBuilder().timeout(Duration.ofMillis(200)).build());
                  futures.add(f);
                  if (i % 5 == 0) {
                    f.cancel(true);
                  }
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    for (CompletableFuture<GenerateResult> f : futures) {
      try {
        f.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | CancellationException expected) {
        // every outcome is acceptable here; only the accounting is checked
      }
    }
    List<RecordingRouterListener.Event> finished = listener.awaitFinished(n, WAIT);
    assertThat(finished).hasSize(n);
    assertThat(feedback).hasSize(n);
    assertThat(inFlight()).isZero();
    assertThat(inFlightTokens()).isZero();
  }

  private static boolean blockedIn(Thread thread, String method) {
    Thread.State state = thread.getState();
    return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
        && Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
  }
}
