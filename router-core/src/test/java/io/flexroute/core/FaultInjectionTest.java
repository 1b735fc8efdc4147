package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.AdmissionPolicy;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestTimeoutException;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.core.internal.RouterInternals;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.RecordedRequest;
import io.flexroute.transport.http.HttpTransport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import okhttp3.ConnectionPool;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected into real HTTP workers on loopback. For each, checked after every test: every
 * request ends with a result or a typed error within its deadline and is reported finished exactly
 * once (nothing reaches the caller twice, nothing is lost); in-flight counts of every worker ever
 * added (removed ones included), the router's concurrency permits, its waiting queue and the
 * breakers' probe places return to zero; every pooled connection is idle again; and the router's
 * and the transport's threads end with them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest {

  private static final Duration DEADLINE = Duration.ofSeconds(3);
  /** Slack for scheduling on a loaded two-core machine: a liveness bound, not a speed claim. */
  private static final Duration SLACK = Duration.ofSeconds(5);
  private static final int CALLERS = 16;

  private final List<FakeWorker> workers = new ArrayList<>();
  private final Ledger ledger = new Ledger();
  private HttpTransport transport;
  private Router router;
  /** How long a 429 without Retry-After parks a worker; a test may change it before router(). */
  private Duration rateLimitPark = CircuitBreakerPolicy.DEFAULT_RATE_LIMIT_PARK;
  private ExecutorService callers;
  private int threadsBefore;

  /** Counts every request's start and end, every worker ever added, and breaker openings. */
  private static final class Ledger extends RouterListener {
    final Map<String, AtomicInteger> started = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();
    final Set<WorkerView> views = ConcurrentHashMap.newKeySet();
    final Set<String> opened = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> firstChunks = new ConcurrentHashMap<>();

    @Override
    public void firstChunk(RequestView request, WorkerView worker, Duration timeToFirstChunk) {
      firstChunks.computeIfAbsent(worker.id(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void requestStarted(RequestView request) {
      started.computeIfAbsent(request.requestId(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void requestFinished(
        RequestView request,
        @Nullable WorkerView worker,
        RequestOutcome outcome,
        Duration duration,
        @Nullable TokenUsage usage,
        @Nullable Throwable error) {
      finished.computeIfAbsent(request.requestId(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void workerAdded(WorkerView worker) {
      views.add(worker);
    }

    @Override
    public void breakerStateChanged(WorkerView worker, BreakerState previous, BreakerState current) {
      if (current == BreakerState.OPEN) {
        opened.add(worker.id());
      }
    }
  }

  @BeforeEach
  void setUp() {
    threadsBefore = routerThreads();
    transport = HttpTransport.create();
    callers = Executors.newFixedThreadPool(CALLERS);
  }

  @AfterEach
  void tearDown() throws Exception {
    callers.shutdown();
    assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    if (router != null) {
      assertThat(ledger.started).isNotEmpty();
      assertThat(ledger.finished.keySet()).isEqualTo(ledger.started.keySet());
      assertThat(ledger.started.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      assertThat(ledger.finished.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      assertThat(ledger.views)
          .allSatisfy(
              w -> {
                assertThat(w.inFlightRequests()).as("in flight on %s", w.id()).isZero();
                assertThat(w.inFlightTokens()).as("tokens in flight on %s", w.id()).isZero();
                assertThat(RouterInternals.breakerProbesInFlight(w)).isZero();
              });
      assertThat(RouterInternals.activeRequests(router)).isZero();
      assertThat(RouterInternals.globalPermitsHeld(router)).isZero();
      assertThat(RouterInternals.waitingRequests(router)).isZero();
      assertThat(RouterInternals.permitLineEmpty(router)).isTrue();
      // A connection still in use now would belong to a body nobody closes.
      ConnectionPool pool = transport.okHttpClient().connectionPool();
      awaitCondition(() -> pool.connectionCount() == pool.idleConnectionCount());
      router.close();
    }
    transport.close();
    workers.forEach(FakeWorker::close);
    awaitCondition(
        () -> transport.okHttpClient().connectionPool().connectionCount() == 0);
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
    Polling.await(condition, Duration.ofSeconds(20));
  }

  private FakeWorker start() {
    return start(FakeWorker.builder().model("m").defaultMaxTokens(8));
  }

  private FakeWorker start(FakeWorker.Builder builder) {
    FakeWorker w = builder.start();
    workers.add(w);
    return w;
  }

  private Router router(List<Worker> fleet, RetryPolicy retry) {
    router =
        Router.builder()
            .transport(transport)
            .workers(fleet)
            .listener(ledger)
            .strategy("round_robin")
            .retry(retry)
            .circuitBreaker(
                CircuitBreakerPolicy.builder()
                    .failureThreshold(3)
                    .openDuration(Duration.ofMillis(300))
                    .rateLimitPark(rateLimitPark)
                    .build())
            .healthChecks(HealthCheckPolicy.builder().interval(Duration.ofMillis(200)).build())
            // Limits below the callers' concurrency, so permits are taken, queued for and
            // given back throughout every run.
            .admission(
                AdmissionPolicy.builder()
                    .maxConcurrentRequests(12)
                    .maxConcurrentPerWorker(8)
                    .queue(64, Duration.ofSeconds(5))
                    .build())
            .defaultTimeout(DEADLINE)
            .build();
    return router;
  }

  private static RetryPolicy fastRetries() {
    return RetryPolicy.builder()
        .initialBackoff(Duration.ofMillis(5))
        .maxBackoff(Duration.ofMillis(20))
        .build();
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
    return run(n, request, DEADLINE);
  }

  private List<Outcome> run(int n, Callable<Object> request, Duration deadline) throws Exception {
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
        .allSatisfy(o -> assertThat(o.nanos()).isLessThan(deadline.plus(SLACK).toNanos()));
    return outcomes;
  }

  /** A stream's text and token ids, checked chunk by chunk for duplicates. */
  private record Streamed(String requestId, String text, List<Integer> ids) {}

  private static Streamed stream(Router router, GenerateRequest request) {
    StringBuilder text = new StringBuilder();
    List<Integer> ids = new ArrayList<>();
    try (ResponseStream<GenerateChunk> stream = router.generateStream(request)) {
      for (GenerateChunk chunk : stream) {
        for (int i = 0; i < chunk.newOutputIds().size(); i++) {
          ids.add(chunk.newOutputIds().get(i));
        }
        // Counts only grow and match the tokens delivered: nothing was delivered twice.
        assertThat(chunk.completionTokens()).isEqualTo(ids.size());
        text.append(chunk.textDelta());
      }
      return new Streamed(stream.requestId(), text.toString(), ids);
    }
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
    assertThat(ledger.opened).contains("bad");
    assertThat(ledger.opened).doesNotContain("g1", "g2");
  }

  @Test
  void rateLimits_withAndWithoutRetryAfter_parkTheWorker() throws Exception {
    FakeWorker limited = start();
    FakeWorker plain = start();
    FakeWorker good = start();
    limited.setFaultPolicy(
        request ->
            Fault.status(429, "{\"error\":{\"message\":\"slow\"}}", Map.of("Retry-After", "60")));
    plain.setFaultPolicy(request -> Fault.status(429, "{\"error\":{\"message\":\"slow\"}}"));
    router(
        List.of(worker("limited", limited), worker("plain", plain), worker("good", good)),
        fastRetries());
    List<Outcome> outcomes = run(40, () -> router.generate(GenerateRequest.ofText("hello")));
    assertThat(outcomes).allSatisfy(o -> assertThat(o.ok()).isTrue());
    WorkerView parked = router.workers().view("limited").orElseThrow();
    // Retry-After: 60 parks it for about a minute, far beyond the default second.
    assertThat(parked.parkedUntilNanos() - System.nanoTime())
        .isGreaterThan(Duration.ofSeconds(30).toNanos());
    // Parked workers saw only the few requests that found them out (at most one per caller
    // racing for it before the first 429 came back, without and with Retry-After).
    assertThat(limited.requests("/generate").size()).isLessThanOrEqualTo(CALLERS);
    assertThat(plain.requests("/generate").size()).isLessThan(40);
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
  void readTimeouts_areRetriedElsewhereBeforeTheDeadline() throws Exception {
    transport.close();
    transport = HttpTransport.builder().readTimeout(Duration.ofMillis(300)).build();
    FakeWorker silent = start();
    FakeWorker headersOnly = start();
    FakeWorker good = start();
    silent.setFaultPolicy(request -> Fault.stallBeforeHeaders());
    headersOnly.setFaultPolicy(request -> Fault.stallAfterHeaders());
    router(
        List.of(worker("silent", silent), worker("headers", headersOnly), worker("good", good)),
        fastRetries());
    // A deadline that leaves room for two read timeouts, a wait for a permit and breaker probes
    // that time out again, however busy the machine: this is about the retries, not the deadline.
    Duration deadline = Duration.ofSeconds(15);
    GenerateRequest request = GenerateRequest.builder().text("hello").timeout(deadline).build();
    List<Outcome> unary = run(24, () -> router.generate(request), deadline);
    List<Outcome> streams = run(24, () -> stream(router, request), deadline);
    assertThat(unary).allSatisfy(o -> assertThat(o.ok()).isTrue());
    assertThat(unary)
        .allSatisfy(o -> assertThat(((GenerateResult) o.value()).workerId()).isEqualTo("good"));
    // A stall after the headers delivers nothing, so the stream is still retried elsewhere.
    assertThat(streams).allSatisfy(o -> assertThat(o.ok()).isTrue());
    silent.releaseStalls();
    headersOnly.releaseStalls();
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
    Duration deadline = Duration.ofMillis(400);
    GenerateRequest request = GenerateRequest.builder().text("hello").timeout(deadline).build();
    List<Outcome> streams =
        run(20, () -> stream(router, request), deadline);
    List<Outcome> unary = run(20, () -> router.generate(request), deadline);
    assertThat(streams)
        .allSatisfy(o -> assertThat(o.value()).isInstanceOf(RequestTimeoutException.class));
    assertThat(unary)
        .allSatisfy(o -> assertThat(o.value()).isInstanceOf(RequestTimeoutException.class));
    stallBefore.releaseStalls();
    stallAfter.releaseStalls();
  }

  @Test
  void malformedAnswers_areRetriedElsewhereUntilTheFirstChunk() throws Exception {
    FakeWorker json = start();
    FakeWorker sse = start();
    FakeWorker good = start();
    json.setFaultPolicy(request -> Fault.malformedJson());
    sse.setFaultPolicy(request -> Fault.truncatedSse());
    router(List.of(worker("json", json), worker("sse", sse), worker("good", good)), fastRetries());
    GenerateRequest request = GenerateRequest.ofText("stream me");
    List<Outcome> unary = run(30, () -> router.generate(request));
    assertThat(unary).allSatisfy(o -> assertThat(o.ok()).isTrue());
    String whole = ((GenerateResult) unary.get(0).value()).text();
    List<Outcome> streams = run(30, () -> stream(router, request));
    // Cut-off JSON in the first event delivers nothing and is retried; a truncated stream breaks
    // after its first event reached the caller, so that request fails typed (a text stream is
    // never replayed). Every other stream arrives whole.
    int truncated = 0;
    for (Outcome o : streams) {
      if (o.ok()) {
        assertThat(((Streamed) o.value()).text()).isEqualTo(whole);
      } else {
        assertThat(o.value()).isInstanceOf(WorkerException.class);
        assertThat(((WorkerException) o.value()).workerId()).isEqualTo("sse");
        truncated++;
      }
    }
    assertThat(truncated).isPositive().isLessThan(streams.size());
  }

  private static String chatText(Router router, ChatRequest request) {
    StringBuilder text = new StringBuilder();
    try (ResponseStream<ChatChunk> stream = router.chatStream(request)) {
      for (ChatChunk chunk : stream) {
        text.append(chunk.content());
      }
    }
    return text.toString();
  }

  @Test
  void overloadReportedInsideAStream_isRetriedElsewhereUntilTheFirstChunk() throws Exception {
    FakeWorker full = start();
    FakeWorker late = start();
    FakeWorker good = start();
    // Engines report overload on a stream that already answered 200 as an error event with the
    // status in its code: "full" before any chunk, "late" after the first one.
    full.setFaultPolicy(request -> Fault.sseError("The request queue is full.", 0, 503));
    late.setFaultPolicy(request -> Fault.sseError("The request queue is full.", 1, 503));
    router(List.of(worker("full", full), worker("late", late), worker("good", good)), fastRetries());
    ChatRequest request =
        ChatRequest.builder().model("m").message(ChatMessage.user("stream me")).build();
    List<Outcome> streams = run(30, () -> chatText(router, request));
    // Nothing had reached the caller from "full": its streams were retried elsewhere. "late" had
    // delivered a chunk, and a text stream is never replayed: those fail, typed, with the status.
    String whole = null;
    int failed = 0;
    for (Outcome o : streams) {
      if (o.ok()) {
        whole = whole == null ? (String) o.value() : whole;
        assertThat(o.value()).isEqualTo(whole);
      } else {
        assertThat(o.value())
            .isInstanceOfSatisfying(
                WorkerException.class,
                e -> {
                  assertThat(e.workerId()).isEqualTo("late");
                  assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
                  assertThat(e.statusCode()).isEqualTo(503);
                });
        failed++;
      }
    }
    assertThat(whole).isNotEmpty();
    assertThat(failed).isPositive().isLessThan(streams.size());
    // Both count as faults of their workers.
    awaitCondition(() -> ledger.opened.containsAll(List.of("full", "late")));
  }

  @Test
  void aRateLimitReportedInsideAStream_parksTheWorker() throws Exception {
    FakeWorker limited = start();
    FakeWorker good = start();
    // The rate limit strikes after the first chunk: the stream fails (a text stream is never
    // replayed), and the worker must be parked as if it had answered 429.
    limited.setFaultPolicy(request -> Fault.sseError("Rate limit reached", 1, 429));
    // Parked for longer than the streams below can take, however busy the machine.
    rateLimitPark = Duration.ofMinutes(1);
    router(List.of(worker("limited", limited), worker("good", good)), fastRetries());
    ChatRequest request =
        ChatRequest.builder().model("m").message(ChatMessage.user("stream me")).build();
    WorkerException limitedFailure = null;
    for (int i = 0; i < 50 && limitedFailure == null; i++) {
      try {
        chatText(router, request);
      } catch (WorkerException e) {
        limitedFailure = e;
      }
    }

    assertThat(limitedFailure).isNotNull();
    assertThat(limitedFailure.workerId()).isEqualTo("limited");
    assertThat(limitedFailure.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
    assertThat(limitedFailure.statusCode()).isEqualTo(429);
    WorkerView view = router.workers().view("limited").orElseThrow();
    assertThat(view.parkedUntilNanos()).isNotEqualTo(Long.MIN_VALUE);
    int before = limited.requests("/v1/chat/completions").size();
    for (int i = 0; i < 3; i++) {
      chatText(router, request);
    }
    // Parked, it gets none of the next streams; round robin would have
    // sent it one of these three.
    assertThat(limited.requests("/v1/chat/completions")).hasSize(before);
  }

  @Test
  void killedMidStream_textStreamsFailTypedAndTokenStreamsResume() throws Exception {
    FakeWorker flaky = start();
    FakeWorker good = start();
    flaky.setFaultPolicy(request -> request.streaming() ? Fault.disconnectMidStream(2) : null);
    router(List.of(worker("flaky", flaky), worker("good", good)), fastRetries());
    // Token streams first, while the flaky worker still gets traffic: after a few broken
    // connections, passive health and its breaker take it out of rotation.
    TokenIds prompt = TokenIds.of(1001, 1002, 1003);
    GenerateRequest tokens =
        GenerateRequest.builder()
            .inputIds(prompt)
            .sampling(SamplingParams.builder().maxNewTokens(8).build())
            .build();
    List<Outcome> resumed = run(20, () -> stream(router, tokens));
    assertThat(resumed).allSatisfy(o -> assertThat(o.ok()).isTrue());
    assertResumedFromWhatTheCallerSaw(resumed, prompt, good, 8);
    List<Outcome> text = run(20, () -> stream(router, GenerateRequest.ofText("hello there")));
    for (Outcome o : text) {
      if (!o.ok()) {
        assertThat(o.value()).isInstanceOf(WorkerException.class);
      }
    }
  }

  @Test
  void aConnectionLostAfterTheLastChunk_endsTheStreamAsAnsweredWithoutResuming() {
    FakeWorker dropsTheEnd = start();
    FakeWorker other = start();
    // Every event of the answer arrives; the connection drops where [DONE] would be.
    dropsTheEnd.setFaultPolicy(
        request -> request.streaming() ? Fault.disconnectMidStream(1000) : null);
    router(List.of(worker("drops", dropsTheEnd), worker("other", other)), fastRetries());
    GenerateRequest tokens =
        GenerateRequest.builder()
            .inputIds(TokenIds.of(1001, 1002, 1003))
            .sampling(SamplingParams.builder().maxNewTokens(8).build())
            .build();

    // Round robin: one of the two streams is served by the worker that drops the end.
    List<String> servedBy = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      List<GenerateChunk> chunks = new ArrayList<>();
      try (ResponseStream<GenerateChunk> stream = router.generateStream(tokens)) {
        stream.forEach(chunks::add);
      }
      assertThat(chunks.get(chunks.size() - 1).isLast()).isTrue();
      assertThat(chunks.stream().filter(GenerateChunk::isLast)).hasSize(1);
      servedBy.add(chunks.get(0).workerId());
    }

    assertThat(servedBy).containsExactlyInAnyOrder("drops", "other");
    // No retry and no resumption: each worker got exactly one generation.
    assertThat(dropsTheEnd.requests("/generate")).hasSize(1);
    assertThat(other.requests("/generate")).hasSize(1);
  }

  @Test
  void workerProcessKilledWhileStreaming_tokenStreamsResumeOnTheSurvivor() throws Exception {
    FakeWorker victim =
        start(FakeWorker.builder().model("m").interTokenDelay(Duration.ofMillis(20)));
    FakeWorker survivor =
        start(FakeWorker.builder().model("m").interTokenDelay(Duration.ofMillis(2)));
    router(List.of(worker("victim", victim), worker("survivor", survivor)), fastRetries());
    TokenIds prompt = TokenIds.of(7, 8, 9, 10);
    GenerateRequest tokens =
        GenerateRequest.builder()
            .inputIds(prompt)
            .sampling(SamplingParams.builder().maxNewTokens(40).ignoreEos(true).build())
            .build();
    List<Future<Object>> running = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      running.add(callers.submit(() -> stream(router, tokens)));
    }
    for (int i = 0; i < 4; i++) {
      GenerateRequest text =
          GenerateRequest.builder()
              .text("text " + i)
              .sampling(SamplingParams.builder().maxNewTokens(40).ignoreEos(true).build())
              .build();
      running.add(callers.submit(() -> stream(router, text)));
    }
    // Kill it once some callers have received part of their streams from it.
    awaitCondition(
        () -> ledger.firstChunks.getOrDefault("victim", new AtomicInteger()).get() >= 3);
    victim.close();
    List<Outcome> tokenOutcomes = new ArrayList<>();
    for (int i = 0; i < running.size(); i++) {
      Object value;
      try {
        value = running.get(i).get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        value = e.getCause();
      }
      if (i < 8) {
        tokenOutcomes.add(new Outcome(value, 0));
      } else if (value instanceof Throwable t) {
        // A text stream that lost its worker after its first chunk fails, typed.
        assertThat(t).isInstanceOf(WorkerException.class);
      }
    }
    assertThat(tokenOutcomes).allSatisfy(o -> assertThat(o.ok()).as("%s", o.value()).isTrue());
    assertThat(tokenOutcomes)
        .allSatisfy(o -> assertThat(((Streamed) o.value()).ids()).hasSize(40));
    assertResumedFromWhatTheCallerSaw(tokenOutcomes, prompt, survivor, 40);
  }

  /**
   * Every resumed stream continued from exactly what its caller had received: the survivor's
   * request is the prompt plus the tokens delivered so far, and asks only for the rest.
   */
  private static void assertResumedFromWhatTheCallerSaw(
      List<Outcome> outcomes, TokenIds prompt, FakeWorker survivor, int maxNewTokens) {
    int resumedCount = 0;
    for (Outcome o : outcomes) {
      Streamed s = (Streamed) o.value();
      for (RecordedRequest r : survivor.requests("/generate")) {
        if (!s.requestId().equals(r.header("X-Request-Id"))) {
          continue;
        }
        JsonNode json = r.json();
        List<Integer> input = new ArrayList<>();
        json.get("input_ids").forEach(n -> input.add(n.asInt()));
        int delivered = input.size() - prompt.size();
        if (delivered == 0) {
          continue;
        }
        resumedCount++;
        assertThat(input.subList(0, prompt.size()))
            .isEqualTo(Arrays.stream(prompt.toArray()).boxed().toList());
        assertThat(input.subList(prompt.size(), input.size()))
            .isEqualTo(s.ids().subList(0, delivered));
        assertThat(json.get("sampling_params").get("max_new_tokens").asInt())
            .isEqualTo(maxNewTokens - delivered);
      }
    }
    assertThat(resumedCount).isPositive();
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
    assertThat(slow.requests("/generate")).isNotEmpty();
  }
}
