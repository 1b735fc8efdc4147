package io.flexroute.examples;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.testkit.worker.FakeWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FlexRoute demo: runs a multi-turn chat workload through several routing strategies and prints
 * how each spread the requests and how fast they were.
 *
 * <p>Without arguments it starts four in-process fake workers on loopback (one of them slow), so it
 * needs no server. With {@code --workers http://host:port,...} it targets real OpenAI-compatible
 * workers instead.
 *
 * <pre>
 * Options:
 *   --workers URL,URL,...   real workers (OpenAI-compatible); default: 4 in-process fakes
 *   --model NAME            model name to request (default: the fakes' model)
 *   --conversations N       conversations per strategy (default 48)
 *   --turns N               turns per conversation (default 4)
 *   --concurrency N         conversations in parallel (default 16)
 *   --strategies a,b,...    strategies to compare (default: all five built-in ones)
 * </pre>
 */
public final class Demo {

  private static final List<String> DEFAULT_STRATEGIES =
      List.of("round_robin", "random", "least_inflight", "power_of_two", "weighted_round_robin");

  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args the options described in the class documentation
   * @throws Exception if the workload cannot run
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Options options = Options.parse(args);
    List<FakeWorker> fakes = new ArrayList<>();
    List<Worker> workers = new ArrayList<>();
    try {
      if (options.workerUrls.isEmpty()) {
        // Three quick workers and one slow one, so that load-aware strategies have something to do.
        long[] ttftMillis = {2, 2, 3, 12};
        for (int i = 0; i < ttftMillis.length; i++) {
          FakeWorker fake =
              FakeWorker.builder()
                  .model("demo-model")
                  .ttft(Duration.ofMillis(ttftMillis[i]))
                  .interTokenDelay(Duration.ofMillis(i == 3 ? 2 : 0))
                  .defaultMaxTokens(24)
                  .start();
          fakes.add(fake);
          workers.add(
              Worker.builder("fake-" + i, fake.baseUrl())
                  .flavor(io.flexroute.ApiFlavor.SGLANG)
                  .model("demo-model")
                  .weight(i == 3 ? 1 : 3)
                  .build());
        }
        System.out.printf(
            "Started %d fake workers on loopback (fake-3 is slow; weights 3,3,3,1).%n",
            fakes.size());
      } else {
        for (int i = 0; i < options.workerUrls.size(); i++) {
          workers.add(
              Worker.builder("worker-" + i, options.workerUrls.get(i))
                  .flavor(io.flexroute.ApiFlavor.OPENAI)
                  .build());
        }
      }
      String model = options.model != null ? options.model : fakes.isEmpty() ? null : "demo-model";
      System.out.printf(
          "Workload per strategy: %d conversations x %d turns, %d in parallel, every other turn"
              + " streamed.%n%n",
          options.conversations, options.turns, options.concurrency);
      List<Result> results = new ArrayList<>();
      for (String strategy : options.strategies) {
        results.add(run(strategy, workers, model, options));
      }
      print(results, workers);
    } finally {
      for (FakeWorker f : fakes) {
        f.close();
      }
    }
  }

  private static Result run(String strategy, List<Worker> workers, String model, Options options)
      throws Exception {
    Result result = new Result(strategy);
    try (Router router =
        Router.builder()
            .workers(workers)
            .strategy(strategy)
            .defaultTimeout(Duration.ofSeconds(30))
            .build()) {
      ExecutorService pool = Executors.newFixedThreadPool(options.concurrency);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < options.conversations; c++) {
          int conversation = c;
          futures.add(pool.submit(() -> converse(router, model, conversation, options, result)));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
    }
    return result;
  }

  private static void converse(
      Router router, String model, int conversation, Options options, Result result) {
    List<ChatMessage> history = new ArrayList<>();
    history.add(ChatMessage.system("You are a concise assistant for conversation " + conversation));
    for (int turn = 0; turn < options.turns; turn++) {
      history.add(ChatMessage.user("Turn " + turn + ": tell me something about routing."));
      ChatRequest.Builder request =
          ChatRequest.builder()
              .messages(history)
              .maxTokens(24)
              .temperature(0)
              .routingKey("conversation-" + conversation);
      if (model != null) {
        request.model(model);
      }
      long start = System.nanoTime();
      try {
        String answer;
        String workerId;
        if (turn % 2 == 1) {
          StringBuilder text = new StringBuilder();
          try (ResponseStream<ChatChunk> stream = router.chatStream(request.build())) {
            workerId = stream.workerId();
            for (ChatChunk chunk : stream) {
              text.append(chunk.content());
            }
          }
          answer = text.toString();
        } else {
          ChatCompletion completion = router.chat(request.build());
          workerId = completion.workerId();
          answer = completion.content() == null ? "" : completion.content();
        }
        result.record(workerId, System.nanoTime() - start);
        history.add(ChatMessage.assistant(answer));
      } catch (RouterException e) {
        result.error(e);
        return;
      }
    }
  }

  private static void print(List<Result> results, List<Worker> workers) {
    StringBuilder header = new StringBuilder();
    header.append(String.format(Locale.ROOT, "%-22s %8s %7s %9s %9s  ", "strategy", "requests",
        "errors", "p50 ms", "p99 ms"));
    for (Worker w : workers) {
      header.append(String.format(Locale.ROOT, "%8s", w.id()));
    }
    System.out.println(header);
    System.out.println("-".repeat(header.length()));
    for (Result r : results) {
      StringBuilder line = new StringBuilder();
      long[] sorted = r.sortedLatencies();
      line.append(String.format(Locale.ROOT, "%-22s %8d %7d %9.2f %9.2f  ", r.strategy,
          sorted.length, r.errors.get(), percentile(sorted, 0.50), percentile(sorted, 0.99)));
      for (Worker w : workers) {
        AtomicInteger n = r.perWorker.get(w.id());
        line.append(String.format(Locale.ROOT, "%8d", n == null ? 0 : n.get()));
      }
      System.out.println(line);
      if (r.firstError != null) {
        System.out.println("  first error: " + r.firstError);
      }
    }
    System.out.println();
    System.out.println("Columns after p99 are requests served per worker.");
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1_000_000.0;
  }

  /** What one strategy's run measured. */
  private static final class Result {
    final String strategy;
    final Map<String, AtomicInteger> perWorker = new ConcurrentHashMap<>();
    final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicLong errors = new AtomicLong();
    volatile String firstError;

    Result(String strategy) {
      this.strategy = strategy;
    }

    void record(String workerId, long nanos) {
      perWorker.computeIfAbsent(workerId, k -> new AtomicInteger()).incrementAndGet();
      latencies.add(nanos);
    }

    void error(RouterException e) {
      errors.incrementAndGet();
      if (firstError == null) {
        firstError = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
    }

    long[] sortedLatencies() {
      long[] out;
      synchronized (latencies) {
        out = latencies.stream().mapToLong(Long::longValue).toArray();
      }
      Arrays.sort(out);
      return out;
    }
  }

  /** Command-line options. */
  private static final class Options {
    List<String> workerUrls = List.of();
    String model;
    int conversations = 48;
    int turns = 4;
    int concurrency = 16;
    List<String> strategies = DEFAULT_STRATEGIES;

    static Options parse(String[] args) {
      Options o = new Options();
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (!arg.startsWith("--")) {
          throw usage("unexpected argument '" + arg + "'");
        }
        String key = arg.substring(2);
        String value;
        int eq = key.indexOf('=');
        if (eq >= 0) {
          value = key.substring(eq + 1);
          key = key.substring(0, eq);
        } else {
          if (i + 1 >= args.length) {
            throw usage("option --" + key + " needs a value");
          }
          value = args[++i];
        }
        values.put(key, value);
      }
      for (Map.Entry<String, String> e : values.entrySet()) {
        switch (e.getKey()) {
          case "workers" -> o.workerUrls = split(e.getValue());
          case "model" -> o.model = e.getValue();
          case "conversations" -> o.conversations = positive(e);
          case "turns" -> o.turns = positive(e);
          case "concurrency" -> o.concurrency = positive(e);
          case "strategies" -> o.strategies = split(e.getValue());
          default -> throw usage("unknown option --" + e.getKey());
        }
      }
      return o;
    }

    private static List<String> split(String value) {
      List<String> out = new ArrayList<>();
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      if (out.isEmpty()) {
        throw usage("expected a comma-separated list, got '" + value + "'");
      }
      return out;
    }

    private static int positive(Map.Entry<String, String> e) {
      try {
        int n = Integer.parseInt(e.getValue());
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw usage("--" + e.getKey() + " must be a positive integer, got '" + e.getValue() + "'");
    }

    private static IllegalArgumentException usage(String problem) {
      return new IllegalArgumentException(
          problem + "\nusage: Demo [--workers URL,...] [--model NAME] [--conversations N]"
              + " [--turns N] [--concurrency N] [--strategies a,b,...]");
    }
  }
}
