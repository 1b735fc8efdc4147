package io.flexroute.benchmarks.overhead;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexroute.benchmarks.load.LoadDriver;
import io.flexroute.benchmarks.load.LoadResult;
import io.flexroute.benchmarks.load.ProcessCpu;
import io.flexroute.benchmarks.load.ThreadCpu;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Measures what routing in process adds to a call, next to what a reverse-proxy hop adds: the same
 * OpenAI chat call to the same fake workers, sent three ways in one run.
 *
 * <ol>
 *   <li><b>direct</b>: a plain OkHttp call from the calling thread straight to a worker (the
 *       workers in turn), Jackson writing the body and parsing the answer;
 *   <li><b>FlexRoute</b>: the same call through a router built in this process;
 *   <li><b>proxy</b> (optional): the direct call's code, sent to a reverse proxy (nginx) in front
 *       of the same workers.
 * </ol>
 *
 * A fourth path, <b>direct (control)</b>, repeats the direct path; what it "adds" over the first is
 * the measurement's noise.
 *
 * <p>For each mode (plain and SSE streams) and concurrency, every path is warmed up, then the
 * measured requests are split into rounds; each round runs every path once, in the orders of a
 * balanced Latin square ({@link RoundOrders}), so that drift on a shared machine, and what ran just
 * before, spread evenly over all paths. A path's
 * added latency at a percentile is its percentile minus the direct path's, both taken from all
 * rounds of that mode and concurrency. CPU per request is the client JVM's process CPU time during
 * the path's rounds (this JVM runs only the client; the workers run in their own process), plus,
 * for the proxy path, the CPU time of the proxy's process tree read from {@code /proc}.
 *
 * <p>{@code router-benchmarks/overhead/run.sh} starts the workers ({@link WorkerFleet}) and nginx,
 * and runs this class; see {@link OverheadOptions} for the arguments. It prints Markdown tables and
 * writes them, with SVG charts, to the output directory. Not thread-safe; a command-line program.
 */
public final class OverheadBenchmark {

  /** A JIT warm-up round during which the compiler worked less than this ends the warm-up. */
  private static final long JIT_QUIET_MILLIS = 50;

  /** The most JIT warm-up rounds per mode. */
  private static final int JIT_MAX_ROUNDS = 30;

  private OverheadBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args {@code --name=value} options, see {@link OverheadOptions}
   * @throws Exception if a request fails or the output cannot be written
   */
  public static void main(String[] args) throws Exception {
    OverheadOptions options = OverheadOptions.parse(args);
    String report = run(options);
    System.out.print(report);
  }

  /**
   * Runs every measurement, writes {@code results.md} and the charts, and returns the report.
   */
  static String run(OverheadOptions options) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ChatWorkload workload = ChatWorkload.create(32, 80, 120, options.maxTokens(), mapper);
    OkHttpClient client = plainClient();
    ProcessCpu proxyCpu =
        options.proxyPid() == null
            ? null
            : ProcessCpu.ofTree(options.proxyPid(), options.ticksPerSecond());
    ProcessCpu workerCpu =
        options.workerPid() == null
            ? null
            : ProcessCpu.ofTree(options.workerPid(), options.ticksPerSecond());
    List<ChatPath> paths = new ArrayList<>();
    paths.add(
        new PlainHttpPath(OverheadReport.BASELINE, client, options.workerUrls(), mapper, workload));
    paths.add(new RouterPath(options.workerUrls(), workload));
    if (options.proxyUrl() != null) {
      paths.add(
          new PlainHttpPath(
              options.proxyLabel(), client, List.of(options.proxyUrl()), mapper, workload));
    }
    if (options.control()) {
      paths.add(
          new PlainHttpPath(
              OverheadReport.CONTROL, client, options.workerUrls(), mapper, workload));
    }
    List<ConfigurationResult> results = new ArrayList<>();
    Map<String, Integer> jitWarmups = new LinkedHashMap<>();
    long started = System.nanoTime();
    try {
      for (String mode : options.modes()) {
        boolean stream = mode.equals("stream");
        progress("JIT warm-up, " + mode);
        jitWarmups.put(mode, warmUpJit(paths, stream, 4, options.jitWarmup(),
            Math.max(1, options.jitWarmup() / 3)));
        for (int concurrency : options.concurrencies()) {
          results.add(measure(options, paths, stream, concurrency, proxyCpu, workerCpu));
        }
      }
    } finally {
      paths.forEach(ChatPath::close);
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    String markdown = markdown(options, results, jitWarmups, took);
    write(options, results, markdown);
    return markdown;
  }

  private static ConfigurationResult measure(
      OverheadOptions options,
      List<ChatPath> paths,
      boolean stream,
      int concurrency,
      @Nullable ProcessCpu proxyCpu,
      @Nullable ProcessCpu workerCpu)
      throws InterruptedException {
    LoadDriver driver = LoadDriver.withConcurrency(concurrency);
    progress((stream ? "stream" : "plain") + ", concurrency " + concurrency);
    // More threads change the code's profiles (contention, other branches), so the JIT works
    // again: warm up at this concurrency until it is quiet too.
    warmUpJit(paths, stream, concurrency, options.warmup(), options.warmup());
    List<PathMeasurement> totals = new ArrayList<>();
    for (ChatPath path : paths) {
      totals.add(PathMeasurement.empty(path.label()));
    }
    int perRound = options.requests() / options.rounds();
    List<List<Integer>> orders = RoundOrders.williams(paths.size());
    for (int round = 0; round < options.rounds(); round++) {
      for (int index : orders.get(round % orders.size())) {
        long proxyBefore = proxyCpu == null ? 0 : proxyCpu.nanos();
        long workerBefore = workerCpu == null ? 0 : workerCpu.nanos();
        ThreadCpu threadsBefore = ThreadCpu.snapshot();
        LoadResult result = driver.run(perRound, task(paths.get(index), stream));
        Map<String, Long> threadsUsed =
            ThreadCpu.snapshot().usedBetween(threadsBefore, ThreadGroups::of);
        long proxyUsed = proxyCpu == null ? 0 : proxyCpu.nanos() - proxyBefore;
        long workerUsed = workerCpu == null ? 0 : workerCpu.nanos() - workerBefore;
        totals.set(index, totals.get(index).plus(result, threadsUsed, proxyUsed, workerUsed));
      }
    }
    ConfigurationResult config = new ConfigurationResult(stream, concurrency, totals);
    for (PathMeasurement p : totals) {
      progress(String.format(Locale.ROOT, "  %-18s %s", p.label(), p.result()));
    }
    return config;
  }

  private static io.flexroute.benchmarks.load.LoadTask task(ChatPath path, boolean stream) {
    return (sequence, clock) -> path.send(sequence, stream, clock);
  }

  /** The same connection settings as the router's HTTP transport, so the paths differ in routing. */
  private static OkHttpClient plainClient() {
    return new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(256, 4, TimeUnit.SECONDS))
        .build();
  }

  /**
   * Warms every path up until the JIT compiler is quiet: a first round of {@code first} requests
   * per path, then rounds of {@code later} while the compiler spent more than {@link
   * #JIT_QUIET_MILLIS} during a round. A fixed count is not enough: the router's path is deeper
   * than a plain call, and on two busy cores its last methods reach the optimising compiler long
   * after the direct path's, which would measure partly unoptimised code against optimised code.
   *
   * @return the rounds run
   */
  private static int warmUpJit(
      List<ChatPath> paths, boolean stream, int concurrency, int first, int later)
      throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    LoadDriver driver = LoadDriver.withConcurrency(concurrency);
    int perPath = first;
    for (int round = 1; ; round++) {
      long before = timed ? jit.getTotalCompilationTime() : 0;
      for (ChatPath path : paths) {
        driver.run(perPath, task(path, stream));
      }
      long spent = timed ? jit.getTotalCompilationTime() - before : 0;
      progress(String.format(Locale.ROOT, "  warm-up round %d: JIT compiler busy %d ms", round,
          spent));
      if (!timed || spent < JIT_QUIET_MILLIS || round >= JIT_MAX_ROUNDS) {
        return round;
      }
      perPath = later;
    }
  }

  private static String markdown(
      OverheadOptions options,
      List<ConfigurationResult> results,
      Map<String, Integer> jitWarmups,
      Duration took) {
    OverheadReport report = new OverheadReport(results, options.proxyLabel());
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "%d measured requests per path, mode and concurrency in %d alternating rounds, after"
            + " warm-up rounds of %d requests per path at that concurrency until the JIT compiler"
            + " was quiet (and %d per path and mode before the first); answers of"
            + " %d tokens; %d workers; %d cores, Java %s; run took %d s.%n",
        options.requests(), options.rounds(), options.warmup(), options.jitWarmup(),
        options.maxTokens(), options.workerUrls().size(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        took.toSeconds()));
    out.append(String.format(Locale.ROOT,
        "%nJIT warm-up until the compiler was quiet (less than %d ms of compilation during a round"
            + " of every path; later rounds %d requests per path): %s.%n",
        JIT_QUIET_MILLIS, Math.max(1, options.jitWarmup() / 3),
        jitWarmups.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue() + (e.getValue() == 1 ? " round" : " rounds"))
            .collect(Collectors.joining(", "))));
    if (!options.note().isBlank()) {
      out.append('\n').append(options.note()).append('\n');
    }
    for (boolean stream : new boolean[] {false, true}) {
      if (results.stream().anyMatch(r -> r.stream() == stream)) {
        out.append('\n')
            .append(stream ? "Streaming requests (SSE)" : "Plain (non-streaming) requests")
            .append(":\n\n")
            .append(report.table(stream));
      }
    }
    if (options.proxyUrl() != null) {
      out.append("\nAgainst the targets:\n\n").append(report.targets());
    }
    out.append("\nClient JVM CPU per request by thread (µs):\n\n").append(report.cpuBreakdown());
    return out.toString();
  }

  private static void write(
      OverheadOptions options, List<ConfigurationResult> results, String markdown)
      throws IOException {
    Path out = options.out();
    Files.createDirectories(out);
    Files.writeString(out.resolve("results.md"), markdown, StandardCharsets.UTF_8);
    OverheadReport report = new OverheadReport(results, options.proxyLabel());
    writeChart(out.resolve("overhead-latency-plain.svg"), report.latencyChart(false));
    writeChart(out.resolve("overhead-latency-stream.svg"), report.latencyChart(true));
    writeChart(out.resolve("overhead-cpu.svg"), report.cpuChart());
    if (options.doc() != null) {
      DocRegion.replace(options.doc(), markdown);
    }
  }

  private static void writeChart(Path file, @Nullable String svg) throws IOException {
    if (svg != null) {
      Files.writeString(file, svg, StandardCharsets.UTF_8);
    }
  }

  private static void progress(String message) {
    System.err.println(message);
  }
}
