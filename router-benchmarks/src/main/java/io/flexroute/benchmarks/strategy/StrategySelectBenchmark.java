package io.flexroute.benchmarks.strategy;

import io.flexroute.RequestOutcome;
import io.flexroute.Worker;
import io.flexroute.core.strategy.CacheAwareStrategy;
import io.flexroute.core.strategy.ConsistentHashStrategy;
import io.flexroute.core.strategy.InFlightLoadScorer;
import io.flexroute.core.strategy.KvUsageGateFilter;
import io.flexroute.core.strategy.LeastInFlightStrategy;
import io.flexroute.core.strategy.LeastTokenWorkStrategy;
import io.flexroute.core.strategy.PeakEwmaStrategy;
import io.flexroute.core.strategy.PowerOfTwoStrategy;
import io.flexroute.core.strategy.PrefixAffinityScorer;
import io.flexroute.core.strategy.PriorityFailoverStrategy;
import io.flexroute.core.strategy.RandomStrategy;
import io.flexroute.core.strategy.RoundRobinStrategy;
import io.flexroute.core.strategy.SessionAffinityStrategy;
import io.flexroute.core.strategy.ShortestTtftStrategy;
import io.flexroute.core.strategy.WeightedRoundRobinStrategy;
import io.flexroute.core.strategy.internal.CountedCandidates;
import io.flexroute.core.strategy.internal.InFlightCounters;
import io.flexroute.spi.CompositeStrategy;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of routing one request with each strategy: {@code select} then {@code onComplete} (the
 * strategy's whole per-request work; {@code onComplete} does nothing for most), at 16, 256,
 * 1,024 and 4,096 workers.
 *
 * <p>The fleet has uneven in-flight counts (0-31), in-flight tokens, weights (1-4), fresh reported
 * loads and latency averages, from a fixed seed. Requests cycle through 4,096 chat requests: one of
 * 8 system prompts (~500 characters) and a distinct question, with a routing key from 1,024
 * sessions, so prefix trees, ledgers and sticky maps are in a steady state. {@code composite} is a
 * KV gate, prefix-affinity and in-flight scorers assembled from parts; its scorers read every
 * candidate by contract. The candidates are the list type the router hands strategies ({@code
 * CountedCandidates}, whose views read their in-flight counts from the packed counter table), so
 * {@code least_inflight} takes the router's packed scan.
 *
 * <p>Run with:
 *
 * <pre>{@code
 * ./mvnw -B -pl router-benchmarks -am package -DskipTests
 * java -jar router-benchmarks/target/benchmarks.jar StrategySelectBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StrategySelectBenchmark {

  /** The strategy under test. */
  @Param({
    "round_robin",
    "random",
    "least_inflight",
    "power_of_two",
    "weighted_round_robin",
    "session_affinity",
    "cache_aware",
    "shortest_ttft",
    "least_token_work",
    "peak_ewma",
    "consistent_hash",
    "priority_failover",
    "composite"
  })
  public String strategy;

  /** The number of candidate workers. */
  @Param({"16", "256", "1024", "4096"})
  public int workers;

  private static final int REQUESTS = 4_096;

  private RoutingStrategy impl;
  private List<WorkerView> candidates;
  private RequestView[] requests;
  private Duration[] durations;
  private int next;

  /** Builds the fleet, the requests and the strategy, and warms the strategy's state. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    // Reports stamped an hour ahead stay fresh for the whole run.
    long reportedAt = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    // The list type the router hands strategies: views whose in-flight counts live in the packed
    // table, which least_inflight scans directly.
    InFlightCounters counters = new InFlightCounters();
    List<WorkerView> fleet = new ArrayList<>(workers);
    List<InFlightCounters.Cell> cells = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      Worker w =
          Worker.builder("w" + i, "http://w" + i + ".invalid:30000")
              .weight(1 + random.nextInt(4))
              .build();
      FakeWorkerView figures =
          new FakeWorkerView(w)
              .setInFlight(random.nextInt(32))
              .setInFlightTokens(random.nextInt(32 * 2_000))
              .setEwmaLatencyNanos(1_000_000L + random.nextInt(10_000_000))
              .setReportedLoad(
                  new WorkerLoad(
                      random.nextInt(32), random.nextInt(8), random.nextDouble() * 0.95,
                      reportedAt));
      PackedView view = new PackedView(figures, counters.allocate());
      fleet.add(view);
      cells.add(view.cell());
    }
    candidates = new CountedCandidates(fleet, cells);
    String[] systems = new String[8];
    for (int s = 0; s < systems.length; s++) {
      systems[s] = ("system " + s + ": you are a helpful assistant that follows the rules. ")
          .repeat(7);
    }
    requests = new RequestView[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
      requests[i] =
          FakeRequestView.chat(
              systems[i % systems.length] + "user: question number " + i + " about routing",
              "session-" + (i % 1_024));
    }
    impl = create(strategy);
    durations = new Duration[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
      durations[i] = Duration.ofMillis(20 + i % 50);
    }
    for (int i = 0; i < REQUESTS; i++) {
      selectAndComplete();
    }
  }

  private static RoutingStrategy create(String name) {
    return switch (name) {
      case "round_robin" -> new RoundRobinStrategy();
      case "random" -> new RandomStrategy();
      case "least_inflight" -> new LeastInFlightStrategy();
      case "power_of_two" -> new PowerOfTwoStrategy();
      case "weighted_round_robin" -> new WeightedRoundRobinStrategy();
      case "session_affinity" -> new SessionAffinityStrategy();
      case "cache_aware" -> new CacheAwareStrategy();
      case "shortest_ttft" -> new ShortestTtftStrategy();
      case "least_token_work" -> new LeastTokenWorkStrategy();
      case "peak_ewma" -> new PeakEwmaStrategy();
      case "consistent_hash" -> new ConsistentHashStrategy();
      case "priority_failover" -> new PriorityFailoverStrategy();
      case "composite" ->
          CompositeStrategy.builder("composite")
              .filter(new KvUsageGateFilter())
              .scorer(new PrefixAffinityScorer(), 2.0)
              .scorer(new InFlightLoadScorer(), 1.0)
              .build();
      default -> throw new IllegalArgumentException(name);
    };
  }

  /**
   * One request's strategy work: the selection and the completion report.
   *
   * @return the chosen worker, so the JIT cannot drop the call
   */
  @Benchmark
  public WorkerView selectAndComplete() {
    int i = next;
    next = i + 1 == REQUESTS ? 0 : i + 1;
    RequestView request = requests[i];
    WorkerView chosen = impl.select(request, candidates).worker();
    impl.onComplete(
        new RequestFeedback(request, chosen, RequestOutcome.SUCCESS, durations[i], null, null));
    return chosen;
  }
}
