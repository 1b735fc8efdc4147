package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ApiFlavor;
import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.FaultPolicy;
import io.flexroute.transport.http.HttpTransport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected into real HTTP workers on loopback. For each: every request ends with a result
 * or a typed error within its deadline, nothing reaches the caller twice, in-flight counts return
 * to zero, and no thread or connection is left behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest {

  private static final Duration DEADLINE = Duration.ofSeconds(3);
  /** Slack for scheduling on a loaded two-core machine: a liveness bound, not a speed claim. */
  private static final Duration SLACK = Duration.ofSeconds(2);

  private final List<FakeWorker> workers = new ArrayList<>();
  private HttpTransport transport;
  private Router router;
  private ExecutorService callers;
  private int threadsBefore;

  @BeforeEach
  void setUp() {
    threadsBefore = routerThreads();
    transport = HttpTransport.create();
    callers = Executors.newFixedThreadPool(16);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (router != null) {
      assertThat(router.workers().views())
          .allSatisfy(
              w -> {
                assertThat(w.inFlightRequests()).isZero();
                assertThat(w.inFlightTokens()).isZero();
              });
      router.close();
    }
    callers.shutdownNow();
    transport.close();
    workers.forEach(FakeWorker::close);
    awaitCondition(() -> transport.okHttpClient().connectionPool().connectionCount() == 0);
    awaitCondition(() -> routerThreads() <= threadsBefore);
  }

  /** Threads the router and the transport own: they must all end with them. */
  private static int routerThreads() {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (t.isAlive() && (name.startsWith("flexroute-") || name.startsWith("OkHttp Dispatch"))) {
        n++;
      }
    }
    return n;
  }

  private static void awaitCondition(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  private FakeWorker start() {
    FakeWorker w = FakeWorker.builder().model("m").defaultMaxTokens(8).start();
    workers.add(w);
    return w;
  }

  private Router router(List<Worker> fleet, RetryPolicy retry) {
    router =
        Router.builder()
            .transport(transport)
            .workers(fleet)
            .strategy("round_robin")
            .retry(retry)
            .circuitBreaker(
                CircuitBreakerPolicy.builder()
                    .failureThreshold(3)
                    .openDuration(Duration.ofMillis(300))
                    .build())
            .healthChecks(HealthCheckPolicy.builder().interval(Duration.ofMillis(200)).build())
            .defaultTimeout(DEADLINE)
            .build();
    return router;
  }

  private static RetryPolicy fastRetries() {
    return RetryPolicy.builder().initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).build();
  }

  private static Worker worker(String id, FakeWorker fake) {
    return Worker.builder(id, fake.baseUrl()).flavor(ApiFlavor.SGLANG).model("m").build();
  }

  /** What one request ended with, and how long it took. */
  private record Outcome(Object value, long nanos) {
    boolean ok() {
      return !(value instanceof Throwable);
    }
  }

  private List<Outcome> run(int n, Callable<Object> request) throws Exception {
    List<Future<Outcome>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(
          callers.submit(
              () -> {
                long start = System.nanoTime();
                try {
                  return new Outcome(request.call(), System.nanoTime() - start);
                } catch (RouterException e) {
                  return new Outcome(e, System.nanoTime() - start);
                }
              }));
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Future<Outcome> f : futures) {
      outcomes.add(f.get(30, TimeUnit.SECONDS));
    }
    // Every request ended within its deadline, with a value or a typed RouterException (any other
    // exception would have failed the future above).
    assertThat(outcomes)
        .allSatisfy(o -> assertThat(o.nanos()).isLessThan(DEADLINE.plus(SLACK).toNanos()));
    return outcomes;
  }

  private static String streamText(Router router, GenerateRequest request) {
    StringBuilder text = new StringBuilder();
    int lastCompletion = 0;
    int tokens = 0;
    try (ResponseStream<GenerateChunk> stream = router.generateStream(request)) {
      for (GenerateChunk chunk : stream) {
        tokens += chunk.newOutputIds().size();
        // Counts only grow and match the tokens delivered: nothing was delivered twice.
        assertThat(chunk.completionTokens()).isGreaterThanOrEqualTo(lastCompletion);
        assertThat(chunk.completionTokens()).isEqualTo(tokens);
        lastCompletion = chunk.completionTokens();
        text.append(chunk.textDelta());
      }
    }
    return text.toString();
  }

  @Test
  void serverErrorStorm_isAbsorbedByRetriesAndTheBreaker() throws Exception {
    FakeWorker bad = start();
    FakeWorker good1 = start();
    FakeWorker good2 = start();
    bad.setFaultPolicy(request -> Fault.status(500, "{\"error\":{\"message\":\"storm\"}}"));
    router(List.of(worker("bad", bad), worker("g1", good1), worker("g2", good2)), fastRetries());
    List<Outcome> outcomes = run(60, () -> router.generate(GenerateRequest.ofText("hello")));
    assertThat(outcomes).allSatisfy(o -> assertThat(o.ok()).isTrue());
    assertThat(outcomes)
        .allSatisfy(o -> assertThat(((GenerateResult) o.value()).workerId()).isNotEqualTo("bad"));
  }

  @Test
  void rateLimits_withAndWithoutRetryAfter_parkTheWorker() throws Exception {
    FakeWorker limited = start();
    FakeWorker plain = start();
    FakeWorker good = start();
    limited.setFaultPolicy(
        request -> Fault.status(429, "{\"error\":{\"message\":\"slow\"}}", Map.of("Retry-After", "1")));
    plain.setFaultPolicy(request -> Fault.status(429, "{\"error\":{\"message\":\"slow\"}}"));
    router(
        List.of(worker("limited", limited), worker("plain", plain), worker("good", good)),
        fastRetries());
    List<Outcome> outcomes = run(40, () -> router.generate(GenerateRequest.ofText("hello")));
    assertThat(outcomes).allSatisfy(o -> assertThat(o.ok()).isTrue());
    WorkerView parked = router.workers().view("limited").orElseThrow();
    assertThat(parked.parkedUntilNanos()).isNotEqualTo(Long.MIN_VALUE);
    // Parked workers saw only the few requests that found them out.
    assertThat(limited.requests("/generate").size()).isLessThan(10);
  }

  @Test
  void connectionRefused_isRetriedElsewhere() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    FakeWorker good = start();
    router(
        List.of(
            Worker.builder("gone", "http://127.0.0.1:" + closedPort).model("m").build(),
            worker("good", good)),
        fastRetries());
    List<Outcome> outcomes = run(30, () -> router.generate(GenerateRequest.ofText("hello")));
    assertThat(outcomes).allSatisfy(o -> assertThat(o.ok()).isTrue());
  }

  @Test
  void stalls_endInTypedTimeoutsWithinTheDeadline() throws Exception {
    FakeWorker stallBefore = start();
    FakeWorker stallAfter = start();
    stallBefore.setFaultPolicy(request -> Fault.stallBeforeHeaders());
    stallAfter.setFaultPolicy(request -> Fault.stallAfterHeaders());
    router(
        List.of(worker("before", stallBefore), worker("after", stallAfter)),
        RetryPolicy.disabled());
    GenerateRequest request =
        GenerateRequest.builder().text("hello").timeout(Duration.ofMillis(400)).build();
    List<Outcome> outcomes =
        run(
            20,
            () ->
                router.generateStream(request).stream()
                    .map(GenerateChunk::textDelta)
                    .reduce("", String::concat));
    assertThat(outcomes)
        .allSatisfy(
            o -> assertThat(o.value()).isInstanceOf(io.flexroute.RequestTimeoutException.class));
    stallBefore.releaseStalls();
    stallAfter.releaseStalls();
  }

  @Test
  void malformedAnswers_areRetriedElsewhere() throws Exception {
    FakeWorker json = start();
    FakeWorker sse = start();
    FakeWorker good = start();
    json.setFaultPolicy(request -> Fault.malformedJson());
    sse.setFaultPolicy(request -> Fault.truncatedSse());
    router(List.of(worker("json", json), worker("sse", sse), worker("good", good)), fastRetries());
    List<Outcome> unary = run(30, () -> router.generate(GenerateRequest.ofText("hello")));
    assertThat(unary).allSatisfy(o -> assertThat(o.ok()).isTrue());
    String expected = good.tokenizer() == null ? "" : router.generate(GenerateRequest.ofText("s")).text();
    assertThat(expected).isNotNull();
    List<Outcome> streams =
        run(30, () -> streamText(router, GenerateRequest.ofText("stream me")));
    // A truncated stream breaks after its first event reached the caller: that request fails
    // (a text stream is never replayed); every other one arrives whole.
    for (Outcome o : streams) {
      if (!o.ok()) {
        assertThat(o.value()).isInstanceOf(io.flexroute.WorkerException.class);
      }
    }
    assertThat(streams.stream().filter(Outcome::ok).count()).isGreaterThan(0);
  }

  @Test
  void killedMidStream_textStreamsFailTypedAndTokenStreamsResume() throws Exception {
    FakeWorker flaky = start();
    FakeWorker good = start();
    flaky.setFaultPolicy(request -> request.streaming() ? Fault.disconnectMidStream(2) : null);
    router(List.of(worker("flaky", flaky), worker("good", good)), fastRetries());
    List<Outcome> text = run(20, () -> streamText(router, GenerateRequest.ofText("hello there")));
    for (Outcome o : text) {
      if (!o.ok()) {
        assertThat(o.value()).isInstanceOf(io.flexroute.WorkerException.class);
      }
    }
    GenerateRequest tokens =
        GenerateRequest.builder()
            .inputIds(TokenIds.of(1001, 1002, 1003))
            .sampling(SamplingParams.builder().maxNewTokens(8).build())
            .build();
    List<Outcome> resumed = run(20, () -> streamText(router, tokens));
    assertThat(resumed).allSatisfy(o -> assertThat(o.ok()).isTrue());
  }

  @Test
  void workerRemovedWhileRequestsRun_finishesThemAndRoutesNewOnesElsewhere() throws Exception {
    FakeWorker slow = start();
    FakeWorker other = start();
    slow.setFaultPolicy(request -> Fault.delay(Duration.ofMillis(300)));
    router(List.of(worker("slow", slow), worker("other", other)), fastRetries());
    List<Future<Object>> inFlight = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      inFlight.add(callers.submit(() -> router.generate(GenerateRequest.ofText("hello"))));
    }
    assertThat(slow.awaitActiveRequests(1, Duration.ofSeconds(10))).isTrue();
    router.workers().remove("slow");
    List<Outcome> after = run(20, () -> router.generate(GenerateRequest.ofText("hello")));
    assertThat(after)
        .allSatisfy(o -> assertThat(((GenerateResult) o.value()).workerId()).isEqualTo("other"));
    for (Future<Object> f : inFlight) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(GenerateResult.class);
    }
    assertThat(slow.awaitIdle(Duration.ofSeconds(10))).isTrue();
  }
}
