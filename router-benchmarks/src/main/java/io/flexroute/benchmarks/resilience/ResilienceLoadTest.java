package io.flexroute.benchmarks.resilience;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestRejectedException;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.core.MicrometerRouterMetrics;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.transport.http.HttpTransport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import okhttp3.ConnectionPool;
import org.HdrHistogram.Histogram;

/**
 * The resilience load test: a fleet of fake workers over real HTTP on loopback, one of them going
 * down and coming back every few seconds and one answering 503 to a third of its requests, under
 * hundreds of concurrent callers for a minute. Every request's outcome is counted.
 *
 * <p>Each caller loops: it picks a request class, sends it, records how it ended, and thinks for a
 * random moment. The classes:
 *
 * <ul>
 *   <li>{@code unary}: a text generate call with a 10 s deadline;
 *   <li>{@code token stream}: a streamed generate from token ids with a 10 s deadline, resumable
 *       on another worker if its worker dies mid-stream;
 *   <li>{@code text stream}: a streamed generate from text with a 10 s deadline; a text stream is
 *       never replayed once a chunk reached the caller, so one whose worker dies mid-stream fails
 *       by design;
 *   <li>{@code tight unary}: a text generate call whose 60 ms deadline leaves no room for a retry.
 * </ul>
 *
 * <p>Checked and printed: lost requests (a call that never returned, or ended with an exception
 * that is not a {@link RouterException}), requests the router reported finished twice or never,
 * streams that delivered a token twice or missed one, the success rate of the requests whose
 * deadline allows a retry ({@code unary} and {@code token stream}, target at least 99.9%), latency
 * percentiles of successes (HdrHistogram), how many requests ended after their deadline and by how
 * much, retries by cause, breaker openings, health transitions, rejections, and, at the end,
 * in-flight counts, pooled connections and router threads. The exit status is 1 when a target is
 * missed (deadline overruns are reported, not targets).
 *
 * <p>Run (after {@code ./mvnw -B -q -pl router-benchmarks -am -DskipTests package}):
 *
 * <pre>{@code
 * java -cp router-benchmarks/target/benchmarks.jar \
 *     io.flexroute.benchmarks.resilience.ResilienceLoadTest [seconds] [callers] [workers]
 *     [flapSeconds] [maxThinkMillis]
 * }</pre>
 *
 * Defaults: 60 seconds, 200 callers, 16 workers, 3 s up and 3 s down, up to 20 ms of thinking
 * between requests. A command-line program; not thread-safe.
 */
public final class ResilienceLoadTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final Duration TIGHT_DEADLINE = Duration.ofMillis(60);
  private static final Duration LATE_SLACK = Duration.ofSeconds(1);
  private static final int NEW_TOKENS = 16;
  private static final String MODEL = "m";

  private ResilienceLoadTest() {}

  /**
   * Runs the load test and prints the report.
   *
   * @param args seconds, callers, workers, flap seconds, max think milliseconds (all optional)
   * @throws Exception if the setup fails
   */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int callers = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int workerCount = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int flapSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int maxThinkMillis = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    System.setProperty("sun.net.httpserver.nodelay", "true");
    System.exit(
        new ResilienceLoadTest().run(seconds, callers, workerCount, flapSeconds, maxThinkMillis)
            ? 0
            : 1);
  }

  private static FakeWorker.Builder workerBuilder() {
    return FakeWorker.builder()
        .model(MODEL)
        .ttft(Duration.ofMillis(5))
        .interTokenDelay(Duration.ofMillis(1))
        .defaultMaxTokens(NEW_TOKENS)
        .requestLogCapacity(16);
  }

  private boolean run(
      int seconds, int callerCount, int workerCount, int flapSeconds, int maxThinkMillis)
      throws Exception {
    List<FakeWorker> steady = new ArrayList<>();
    for (int i = 0; i < workerCount - 1; i++) {
      steady.add(workerBuilder().start());
    }
    FakeWorker unavailable = steady.get(steady.size() - 1);
    unavailable.setFaultRate(
        Fault.status(503, "{\"error\":{\"message\":\"overloaded\"}}"), 1.0 / 3, 42);
    Supplier<FakeWorker.Builder> flappingBuilder = ResilienceLoadTest::workerBuilder;
    FlappingWorker flapping =
        new FlappingWorker(flappingBuilder, Duration.ofSeconds(flapSeconds));

    List<Worker> fleet = new ArrayList<>();
    for (int i = 0; i < steady.size(); i++) {
      String id = steady.get(i) == unavailable ? "w" + i + "-503" : "w" + i;
      fleet.add(Worker.builder(id, steady.get(i).baseUrl()).model(MODEL).build());
    }
    fleet.add(Worker.builder("w" + steady.size() + "-flapping", flapping.baseUrl()).model(MODEL).build());

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RequestLedger ledger = new RequestLedger();
    HttpTransport transport = HttpTransport.create();
    HealthCheckPolicy health =
        HealthCheckPolicy.builder().interval(Duration.ofSeconds(1)).timeout(Duration.ofMillis(500)).build();
    Router router =
        Router.builder()
            .transport(transport)
            .workers(fleet)
            .listener(ledger)
            .listener(new MicrometerRouterMetrics(meters))
            .healthChecks(health)
            .defaultTimeout(DEADLINE)
            .build();
    List<WorkerView> views = router.workers().views();

    Tally unary = new Tally("unary");
    Tally tokenStream = new Tally("token stream");
    Tally textStream = new Tally("text stream");
    Tally tight = new Tally("tight unary");
    List<Tally> tallies = List.of(unary, tokenStream, textStream, tight);

    System.out.printf(Locale.ROOT,
        "%d workers (one flapping %d s up / %d s down, one answering 503 to 1/3), %d callers, "
            + "%d s, think 0-%d ms, %d cores%n",
        workerCount, flapSeconds, flapSeconds, callerCount, seconds, maxThinkMillis,
        Runtime.getRuntime().availableProcessors());

    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(callerCount);
    AtomicInteger running = new AtomicInteger();
    for (int c = 0; c < callerCount; c++) {
      long seed = 1000 + c;
      Thread t =
          new Thread(
              () -> {
                try {
                  callerLoop(router, new SplittableRandom(seed), end, maxThinkMillis, running,
                      unary, tokenStream, textStream, tight);
                } finally {
                  done.countDown();
                }
              },
              "caller-" + c);
      t.setDaemon(true);
      t.start();
    }
    // Callers stop sending at the end; the last requests get their full deadline to end.
    boolean allReturned =
        done.await(seconds + DEADLINE.toSeconds() + LATE_SLACK.toSeconds() + 5, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    int stuck = running.get();
    if (!allReturned) {
      printStuckCallers();
    }
    flapping.stopFlapping();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    long inFlight = views.stream().mapToLong(WorkerView::inFlightRequests).sum();
    long inFlightTokens = views.stream().mapToLong(WorkerView::inFlightTokens).sum();
    ConnectionPool pool = transport.okHttpClient().connectionPool();
    int connections = pool.connectionCount();
    int idleConnections = pool.idleConnectionCount();
    int routerThreadsOpen = routerThreads();

    long total = tallies.stream().mapToLong(Tally::requests).sum();
    System.out.printf(Locale.ROOT,
        "%n%,d requests in %.1f s (%,.0f/s), load average %.2f at the end%n%n",
        total, elapsed, total / elapsed, load);
    System.out.println(
        "| class | deadline | requests | success | typed errors | untyped | token errors "
            + "| p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | past deadline | worst overrun ms "
            + "| over 1 s late |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        + "| ---: | ---: | ---: | ---: | ---: |");
    for (Tally t : tallies) {
      Histogram h = t.latency();
      System.out.printf(Locale.ROOT,
          "| %s | %s | %,d | %,d (%.3f%%) | %,d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f "
              + "| %d | %.0f | %d |%n",
          t.name(), t == tight ? TIGHT_DEADLINE.toMillis() + " ms" : DEADLINE.toSeconds() + " s",
          t.requests(), t.successes(), percent(t.successes(), t.requests()),
          t.typedErrors(), t.untypedFailures(), t.corruptCount(),
          ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0,
          t.pastDeadlineCount(), t.maxOverrunMillis(), t.lateCount());
    }
    System.out.println();
    for (Tally t : tallies) {
      if (!t.errorsByKind().isEmpty()) {
        System.out.println("typed errors, " + t.name() + ": " + t.errorsByKind());
      }
    }
    System.out.println("retries by cause: " + sumBy(meters, "flexroute.retries", "cause"));
    System.out.println(
        "breaker openings by worker: " + sumBy(meters, "flexroute.breaker.transitions", "worker",
            "state", "open"));
    System.out.println(
        "marked unhealthy by worker: " + sumBy(meters, "flexroute.worker.health.transitions",
            "worker", "state", "unhealthy"));
    System.out.println("rejections by reason: " + sumBy(meters, "flexroute.rejections", "reason"));
    System.out.println("flapping worker went down " + flapping.downs() + " times");

    long retryable = unary.requests() + tokenStream.requests();
    long retryableOk = unary.successes() + tokenStream.successes();
    double successRate = percent(retryableOk, retryable);
    long untyped = tallies.stream().mapToLong(Tally::untypedFailures).sum();
    long late = tallies.stream().mapToLong(Tally::lateCount).sum();
    long corrupt = tallies.stream().mapToLong(Tally::corruptCount).sum();
    long lost = untyped + stuck;
    System.out.println();
    System.out.printf(Locale.ROOT,
        "lost requests: %d (calls that never returned: %d, untyped failures: %d)%n",
        lost, stuck, untyped);
    System.out.printf(Locale.ROOT,
        "router ledger: %,d started, %,d finished, %d unfinished, %d finished twice or unknown%n",
        ledger.started(), ledger.finished(), ledger.unfinished(), ledger.duplicateFinishes());
    System.out.printf(Locale.ROOT,
        "success rate of requests whose deadline allows a retry: %.3f%% (%,d of %,d)%n",
        successRate, retryableOk, retryable);
    System.out.printf(Locale.ROOT,
        "after the run: in flight %d requests / %d tokens; pooled connections %d (%d idle); "
            + "router and transport threads %d%n",
        inFlight, inFlightTokens, connections, idleConnections, routerThreadsOpen);

    router.close();
    transport.close();
    flapping.close();
    steady.forEach(FakeWorker::close);
    System.out.printf(Locale.ROOT, "after close: pooled connections %d, router threads %d%n",
        pool.connectionCount(), awaitRouterThreadsGone());

    if (late > 0) {
      System.out.printf(Locale.ROOT,
          "%d requests ended more than %d s after their deadline%n", late, LATE_SLACK.toSeconds());
    }
    // The targets: nothing lost, counted twice or corrupted, the retryable requests succeed, and
    // every slot is given back. Deadline overruns are reported above; on an oversubscribed
    // machine they measure the scheduler as much as the router.
    boolean ok =
        allReturned
            && lost == 0
            && corrupt == 0
            && ledger.unfinished() == 0
            && ledger.duplicateFinishes() == 0
            && ledger.started() == total
            && successRate >= 99.9
            && inFlight == 0
            && inFlightTokens == 0
            && connections == idleConnections;
    System.out.println(ok ? "ALL TARGETS MET" : "TARGET MISSED");
    return ok;
  }

  private static void callerLoop(
      Router router,
      SplittableRandom random,
      long end,
      int maxThinkMillis,
      AtomicInteger running,
      Tally unary,
      Tally tokenStream,
      Tally textStream,
      Tally tight) {
    while (System.nanoTime() < end) {
      int pick = random.nextInt(100);
      Tally tally;
      Duration deadline;
      Kind kind;
      if (pick < 60) {
        tally = unary;
        deadline = DEADLINE;
        kind = Kind.UNARY;
      } else if (pick < 85) {
        tally = tokenStream;
        deadline = DEADLINE;
        kind = Kind.TOKEN_STREAM;
      } else if (pick < 95) {
        tally = textStream;
        deadline = DEADLINE;
        kind = Kind.TEXT_STREAM;
      } else {
        tally = tight;
        deadline = TIGHT_DEADLINE;
        kind = Kind.UNARY;
      }
      running.incrementAndGet();
      long t0 = System.nanoTime();
      try {
        boolean whole = send(router, kind, deadline, random);
        long nanos = System.nanoTime() - t0;
        if (whole) {
          tally.success(nanos);
        } else {
          tally.corrupt();
          tally.typedError("token count");
        }
        checkLate(tally, nanos, deadline);
      } catch (RouterException e) {
        tally.typedError(kindOf(e));
        checkLate(tally, System.nanoTime() - t0, deadline);
      } catch (RuntimeException | Error e) {
        tally.untyped();
        System.err.println("untyped failure: " + e);
      } finally {
        running.decrementAndGet();
      }
      if (maxThinkMillis > 0) {
        try {
          Thread.sleep(random.nextInt(maxThinkMillis + 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private enum Kind {
    UNARY,
    TOKEN_STREAM,
    TEXT_STREAM
  }

  /**
   * Sends one request.
   *
   * @return whether the answer was whole: for streams, every token counted exactly once
   */
  private static boolean send(Router router, Kind kind, Duration deadline, SplittableRandom random) {
    return switch (kind) {
      case UNARY -> {
        router.generate(
            GenerateRequest.builder()
                .text("question " + random.nextInt(10_000))
                .timeout(deadline)
                .build());
        yield true;
      }
      case TOKEN_STREAM -> {
        int[] ids = new int[16 + random.nextInt(48)];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = 1000 + random.nextInt(5000);
        }
        GenerateRequest request =
            GenerateRequest.builder()
                .inputIds(TokenIds.of(ids))
                .sampling(SamplingParams.builder().maxNewTokens(NEW_TOKENS).ignoreEos(true).build())
                .timeout(deadline)
                .build();
        yield readStream(router, request) == NEW_TOKENS;
      }
      case TEXT_STREAM -> {
        GenerateRequest request =
            GenerateRequest.builder()
                .text("story " + random.nextInt(10_000))
                .sampling(SamplingParams.builder().maxNewTokens(NEW_TOKENS).ignoreEos(true).build())
                .timeout(deadline)
                .build();
        yield readStream(router, request) == NEW_TOKENS;
      }
    };
  }

  /**
   * Reads a stream to its end.
   *
   * @return the tokens delivered, or -1 when a chunk's count disagreed with the tokens delivered
   */
  private static int readStream(Router router, GenerateRequest request) {
    int tokens = 0;
    boolean consistent = true;
    try (ResponseStream<GenerateChunk> stream = router.generateStream(request)) {
      for (GenerateChunk chunk : stream) {
        tokens += chunk.newOutputIds().size();
        consistent &= chunk.completionTokens() == tokens;
      }
    }
    return consistent ? tokens : -1;
  }

  private static void checkLate(Tally tally, long nanos, Duration deadline) {
    tally.ended(nanos, deadline.toNanos(), LATE_SLACK.toNanos());
  }

  private static String kindOf(RouterException e) {
    if (e instanceof WorkerException we) {
      return we.kind() == WorkerException.Kind.HTTP_STATUS
          ? "worker HTTP " + we.statusCode()
          : "worker " + we.kind().name().toLowerCase(Locale.ROOT);
    }
    if (e instanceof RequestRejectedException r) {
      return "rejected " + r.reason().name().toLowerCase(Locale.ROOT);
    }
    if (e instanceof NoEligibleWorkerException) {
      return "no eligible worker";
    }
    return e.getClass().getSimpleName();
  }

  private static double percent(long part, long whole) {
    return whole == 0 ? 100.0 : 100.0 * part / whole;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static Map<String, Long> sumBy(
      SimpleMeterRegistry meters, String name, String key, String... filter) {
    Map<String, Long> out = new TreeMap<>();
    for (Counter c : meters.find(name).tags(filter).counters()) {
      String value = c.getId().getTag(key);
      out.merge(value == null ? "?" : value, (long) c.count(), Long::sum);
    }
    return out;
  }

  /** Prints where each caller that is still running is, to find what kept it. */
  private static void printStuckCallers() {
    Thread.getAllStackTraces()
        .forEach(
            (thread, stack) -> {
              if (thread.getName().startsWith("caller-") && thread.isAlive()) {
                System.out.println("still running: " + thread.getName() + " " + thread.getState());
                for (StackTraceElement frame : stack) {
                  System.out.println("    at " + frame);
                }
              }
            });
  }

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

  private static int awaitRouterThreadsGone() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int n = routerThreads();
    while (n > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      n = routerThreads();
    }
    return n;
  }
}
