package io.flexroute.benchmarks.transport;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.benchmarks.load.CpuClocks;
import io.flexroute.benchmarks.load.LoadDriver;
import io.flexroute.benchmarks.load.LoadResult;
import io.flexroute.benchmarks.load.LoadTask;
import io.flexroute.spi.Transport;
import io.flexroute.testkit.grpc.FakeScheduler;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.transport.grpc.GrpcTransport;
import io.flexroute.transport.http.HttpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compares the HTTP transport ({@code POST /generate} against the test kit's {@code FakeWorker})
 * with the gRPC transport ({@code Generate} against its {@code FakeScheduler}) through the router,
 * on the same token workload: prompts given as token ids, a fixed number of output tokens ({@code
 * ignore_eos}), logprobs returned. A plain Java driver, not a JMH benchmark: one JVM runs every
 * configuration in turn, each after its own warm-up requests.
 *
 * <p>For each mode (plain, then streamed) and transport it runs warm-up requests, then a measured
 * batch from a few client threads, and prints one Markdown row: requests per second, latency
 * percentiles, and the CPU time per request of the client side alone and of the whole process. The
 * client side is the driver threads plus the router's and the transports' own threads ({@code
 * flexroute-*}, {@code OkHttp*}), read from the JVM's per-thread CPU clocks; the fake servers run in the same
 * JVM and their threads are left out, as are the JVM's GC and JIT threads. The process figure holds
 * everything: client, both fakes' server side, GC and JIT.
 *
 * <p>The fakes answer at once (no model time), so the latency is routing, client encoding and
 * decoding, the loopback round trip and the fake server's own work, with client and server sharing
 * the machine's CPUs. Streamed HTTP runs twice: against SGLang's default cumulative chunks (every
 * event repeats all ids and logprobs so far) and against delta chunks ({@code
 * --incremental-streaming-output}); gRPC chunks are always deltas. The fake worker's HTTP answers
 * also carry text, as SGLang's do; gRPC answers carry none. The requests are sent by the shared
 * {@link LoadDriver}.
 *
 * <p>Run (after {@code ./mvnw -B -q -pl router-benchmarks -am -DskipTests package}):
 *
 * <pre>{@code
 * java -cp router-benchmarks/target/benchmarks.jar \
 *     io.flexroute.benchmarks.transport.TransportComparison [requests] [threads] [promptTokens]
 *     [outputTokens]
 * }</pre>
 *
 * Defaults: 4000 requests, 4 threads, 512 prompt tokens, 64 output tokens; warm-up: a quarter of
 * the requests, at least 500. Not thread-safe; a command-line program.
 */
public final class TransportComparison {

  /** Thread-name prefixes of the client side: driver, router and both transports. */
  private static final List<String> CLIENT_THREADS =
      List.of("flexroute-", "OkHttp");

  private TransportComparison() {}

  /**
   * Runs the comparison and prints the table.
   *
   * @param args requests, threads, prompt tokens, output tokens (all optional)
   * @throws Exception if a request fails
   */
  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int promptTokens = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    int outputTokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    int warmup = Math.max(500, requests / 4);
    System.setProperty("sun.net.httpserver.nodelay", "true");

    List<GenerateRequest> workload = workload(64, promptTokens, outputTokens);
    System.out.printf(Locale.ROOT,
        "%d requests, %d client threads, %d prompt tokens, %d output tokens, logprobs on%n%n",
        requests, threads, promptTokens, outputTokens);
    System.out.println("| Transport | Mode | req/s | p50 latency (µs) | p99 latency (µs)"
        + " | client CPU per request (µs) | process CPU per request (µs) |");
    System.out.println("|---|---|---|---|---|---|---|");
    try (FakeWorker worker = FakeWorker.builder().maxModelLen(1_000_000).start();
        FakeWorker deltaWorker =
            FakeWorker.builder().maxModelLen(1_000_000).incrementalStreamOutput(true).start();
        FakeScheduler scheduler =
            FakeScheduler.builder().maxContextLength(1_000_000).tokensPerChunk(1).start()) {
      for (boolean stream : new boolean[] {false, true}) {
        try (HttpTransport http = HttpTransport.create();
            Router router = router(http, worker.baseUrl())) {
          run(stream ? "HTTP /generate, cumulative SSE" : "HTTP /generate", stream, router,
              workload, warmup, requests, threads);
        }
        if (stream) {
          try (HttpTransport http = HttpTransport.create();
              Router router = router(http, deltaWorker.baseUrl())) {
            run("HTTP /generate, delta SSE", true, router, workload, warmup, requests, threads);
          }
        }
        try (GrpcTransport grpc = GrpcTransport.create();
            Router router = router(grpc, scheduler.url())) {
          run("gRPC Generate", stream, router, workload, warmup, requests, threads);
        }
      }
    }
  }

  private static Router router(Transport transport, String url) {
    return Router.builder()
        .transport(transport)
        .worker("w", url)
        .retry(RetryPolicy.disabled())
        .build();
  }

  static List<GenerateRequest> workload(int distinct, int promptTokens, int outputTokens) {
    SplittableRandom random = new SplittableRandom(42);
    List<GenerateRequest> list = new ArrayList<>();
    for (int i = 0; i < distinct; i++) {
      int[] ids = new int[promptTokens];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = 1000 + random.nextInt(30_000);
      }
      list.add(
          GenerateRequest.builder()
              .inputIds(TokenIds.of(ids))
              .sampling(
                  SamplingParams.builder()
                      .maxNewTokens(outputTokens)
                      .temperature(1.0)
                      .ignoreEos(true)
                      .build())
              .returnLogprob(true)
              .timeout(Duration.ofSeconds(30))
              .build());
    }
    return list;
  }

  /** Sends one request and checks that it produced the expected number of tokens. */
  static int once(Router router, GenerateRequest request, boolean stream) {
    int tokens = 0;
    if (stream) {
      try (ResponseStream<GenerateChunk> s = router.generateStream(request)) {
        for (GenerateChunk c : s) {
          tokens += c.newOutputIds().size();
        }
      }
    } else {
      GenerateResult r = router.generate(request);
      tokens = r.outputIds().size();
    }
    Integer expected = request.sampling().maxNewTokens();
    if (expected != null && tokens != expected) {
      throw new IllegalStateException("expected " + expected + " tokens, got " + tokens);
    }
    return tokens;
  }

  private static void run(
      String name,
      boolean stream,
      Router router,
      List<GenerateRequest> workload,
      int warmup,
      int requests,
      int threads)
      throws Exception {
    LoadDriver driver = LoadDriver.withConcurrency(threads).threadNamePrefix("bench-client-");
    LoadTask task = (i, clock) -> once(router, workload.get(i % workload.size()), stream);
    driver.run(warmup, task);
    Map<Long, Long> clientBefore = clientCpu();
    LoadResult result = driver.run(requests, task);
    Map<Long, Long> clientAfter = clientCpu();
    long clientCpu = result.driverCpuNanos();
    for (Map.Entry<Long, Long> e : clientAfter.entrySet()) {
      clientCpu += e.getValue() - clientBefore.getOrDefault(e.getKey(), 0L);
    }
    System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f |%n",
        name,
        stream ? "stream" : "plain",
        result.requestsPerSecond(),
        result.latencyMicros(50),
        result.latencyMicros(99),
        clientCpu / 1000.0 / requests,
        result.processCpuMicrosPerRequest());
  }

  private static Map<Long, Long> clientCpu() {
    Map<Long, Long> cpu = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (CLIENT_THREADS.stream().anyMatch(n::startsWith)) {
        long c = CpuClocks.threadNanos(t.getId());
        if (c >= 0) {
          cpu.put(t.getId(), c);
        }
      }
    }
    return cpu;
  }
}
