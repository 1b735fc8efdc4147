package io.flexroute.benchmarks.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.LeastInFlightStrategy;
import io.flexroute.core.strategy.PowerOfTwoStrategy;
import io.flexroute.core.strategy.RandomStrategy;
import io.flexroute.core.strategy.RoundRobinStrategy;
import io.flexroute.core.strategy.WeightedRoundRobinStrategy;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
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
 * The cost of one {@code select} call of each basic strategy, at 16 and 1,024 workers with uneven
 * in-flight counts and weights, on a fleet where some workers are idle and on one where all are
 * busy.
 *
 * <p>Run with:
 *
 * <pre>{@code
 * ./mvnw -B -pl router-benchmarks -am package -DskipTests
 * java -jar router-benchmarks/target/benchmarks.jar StrategySelectBenchmark -f 1 -wi 3 -i 5
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
  @Param({"round_robin", "random", "least_inflight", "power_of_two", "weighted_round_robin"})
  public String strategy;

  /** The number of candidate workers. */
  @Param({"16", "1024"})
  public int workers;

  /**
   * The fleet's load: {@code mixed} has in-flight counts 0-31 (about one worker in 32 idle),
   * {@code busy} has 1-32 (no worker idle, so a least-loaded scan cannot stop early).
   */
  @Param({"mixed", "busy"})
  public String fleet;

  private RoutingStrategy impl;
  private List<WorkerView> candidates;
  private RequestView request;

  /** Builds the fleet: in-flight counts 0-31 (or 1-32) and weights 1-4, from a fixed seed. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    int minInFlight = "busy".equals(fleet) ? 1 : 0;
    List<WorkerView> fleet = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      Worker w =
          Worker.builder("w" + i, "http://w" + i + ".invalid:30000")
              .weight(1 + random.nextInt(4))
              .build();
      fleet.add(new FakeWorkerView(w).setInFlight(minInFlight + random.nextInt(32)));
    }
    candidates = List.copyOf(fleet);
    request = FakeRequestView.text("benchmark prompt");
    impl =
        switch (strategy) {
          case "round_robin" -> new RoundRobinStrategy();
          case "random" -> new RandomStrategy();
          case "least_inflight" -> new LeastInFlightStrategy();
          case "power_of_two" -> new PowerOfTwoStrategy();
          case "weighted_round_robin" -> new WeightedRoundRobinStrategy();
          default -> throw new IllegalArgumentException(strategy);
        };
  }

  /**
   * One selection.
   *
   * @return the chosen worker, so the JIT cannot drop the call
   */
  @Benchmark
  public WorkerView select() {
    return impl.select(request, candidates).worker();
  }
}
