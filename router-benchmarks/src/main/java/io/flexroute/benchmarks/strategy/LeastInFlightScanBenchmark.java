package io.flexroute.benchmarks.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.LeastInFlightStrategy;
import io.flexroute.core.strategy.internal.CountedCandidates;
import io.flexroute.core.strategy.internal.InFlightCounters;
import io.flexroute.spi.RequestView;
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
 * {@code least_inflight} selection over the router's own candidate list type, whose scan reads the
 * router's packed in-flight counters ({@code packed}), side by side with the scan of the views
 * that any other list gets ({@code generic}, the baseline): the same views, copied into a plain
 * list. At 16, 256, 1,024 and 4,096 workers.
 *
 * <p>Every worker is busy (1-32 requests and 1-64,000 prompt tokens in flight, from a fixed seed),
 * so no scan stops early at an idle worker: each one reads every candidate. The views read their
 * counts from the same packed table the list scans, as the router's worker states do.
 *
 * <p>Run with:
 *
 * <pre>{@code
 * ./mvnw -B -pl router-benchmarks -am package -DskipTests
 * java -jar router-benchmarks/target/benchmarks.jar LeastInFlightScanBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LeastInFlightScanBenchmark {

  /** {@code packed}: the router's candidate list; {@code generic}: a plain list of the views. */
  @Param({"packed", "generic"})
  public String list;

  /** The number of candidate workers. */
  @Param({"16", "256", "1024", "4096"})
  public int workers;

  private static final RequestView REQUEST = FakeRequestView.text("hello");

  private final LeastInFlightStrategy strategy = new LeastInFlightStrategy();
  private List<WorkerView> candidates;

  /** Builds the busy fleet and the list under test. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    InFlightCounters counters = new InFlightCounters();
    List<WorkerView> views = new ArrayList<>(workers);
    List<InFlightCounters.Cell> cells = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      FakeWorkerView figures =
          new FakeWorkerView(Worker.builder("w" + i, "http://w" + i + ".invalid:30000").build())
              .setInFlight(1 + random.nextInt(32))
              .setInFlightTokens(1 + random.nextInt(64_000));
      PackedView view = new PackedView(figures, counters.allocate());
      cells.add(view.cell());
      views.add(view);
    }
    CountedCandidates counted = new CountedCandidates(views, cells);
    candidates = list.equals("packed") ? counted : List.copyOf(counted);
  }

  /**
   * One selection.
   *
   * @return the chosen worker, so the JIT cannot drop the call
   */
  @Benchmark
  public WorkerView select() {
    return strategy.select(REQUEST, candidates).worker();
  }
}
