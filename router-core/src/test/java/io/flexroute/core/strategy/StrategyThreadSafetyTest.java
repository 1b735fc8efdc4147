package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.RequestOutcome;
import io.flexroute.Worker;
import io.flexroute.spi.CompositeStrategy;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in strategy and composition, selected from many threads at once while loads change,
 * requests complete and workers report loads: no exception, always a candidate.
 */
class StrategyThreadSafetyTest {

  static Stream<Arguments> strategies() {
    List<Arguments> out = new ArrayList<>();
    for (StrategyProvider p :
        ServiceLoader.load(StrategyProvider.class, StrategyProvider.class.getClassLoader())) {
      out.add(Arguments.of(p.name(), (Supplier<RoutingStrategy>) p::create));
    }
    out.add(
        Arguments.of(
            "composite",
            (Supplier<RoutingStrategy>)
                () ->
                    CompositeStrategy.builder("composite")
                        .filter(new PriorityGroupFilter())
                        .filter(new KvUsageGateFilter())
                        .scorer(new PrefixAffinityScorer(10_000), 2)
                        .scorer(new InFlightLoadScorer(), 1)
                        .scorer(new KvUsageScorer(), 1)
                        .build()));
    out.add(
        Arguments.of(
            "per_model",
            (Supplier<RoutingStrategy>)
                () ->
                    PerModelStrategy.builder(new PowerOfTwoStrategy())
                        .model("m1", new CacheAwareStrategy())
                        .model("m2", new ShortestTtftStrategy())
                        .build()));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void manyThreadsSelectingAtOnce(String name, Supplier<RoutingStrategy> factory)
      throws Exception {
    RoutingStrategy strategy = factory.get();
    List<WorkerView> fleet = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fleet.add(
          new FakeWorkerView(
              Worker.builder("w" + i, "http://w" + i + ".invalid:1")
                  .group(i < 6 ? "primary" : "backup")
                  .priority(i < 6 ? 0 : 1)
                  .weight(1 + i % 3)
                  .build()));
    }
    List<WorkerView> full = List.copyOf(fleet);
    List<WorkerView> shrunk = List.copyOf(fleet.subList(3, 12));
    Set<WorkerView> members = new HashSet<>(full);
    int threads = 6;
    Concurrently.run(
        threads,
        id -> {
          SplittableRandom random = new SplittableRandom(id);
          for (int i = 0; i < 3_000; i++) {
            List<WorkerView> candidates = random.nextInt(10) == 0 ? shrunk : full;
            RequestView request = request(random, id, i);
            WorkerView w = strategy.select(request, candidates).worker();
            if (w == null) {
              throw new AssertionError(name + " declined a request");
            }
            if (!members.contains(w) || !candidates.contains(w)) {
              throw new AssertionError(name + " chose a non-candidate " + w);
            }
            FakeWorkerView f = (FakeWorkerView) w;
            f.addInFlight(1);
            f.setInFlightTokens(random.nextInt(10_000));
            f.setReportedLoad(
                new WorkerLoad(
                    random.nextInt(10), random.nextInt(5), random.nextDouble(),
                    System.nanoTime()));
            f.addInFlight(-1);
            strategy.onComplete(
                new RequestFeedback(
                    request, w,
                    random.nextInt(8) == 0
                        ? RequestOutcome.WORKER_ERROR
                        : RequestOutcome.SUCCESS,
                    Duration.ofMillis(1 + random.nextInt(50)), null, null));
          }
        });
    // Whatever state the storm left behind still gives sound choices: a fresh request on the
    // full list and on the shrunk one gets one of their candidates.
    SplittableRandom after = new SplittableRandom(99);
    for (List<WorkerView> candidates : List.of(full, shrunk)) {
      for (int i = 0; i < 50; i++) {
        WorkerView w = strategy.select(request(after, 0, i), candidates).worker();
        assertThat(w).as(name).isNotNull().isIn(candidates);
      }
    }
  }

  private static RequestView request(SplittableRandom random, int thread, int i) {
    String system = "system prompt " + random.nextInt(3) + " ".repeat(50);
    return switch (random.nextInt(4)) {
      case 0 -> FakeRequestView.text(system + "thread " + thread + " turn " + i);
      case 1 -> FakeRequestView.chat(system + "question " + i, "session-" + random.nextInt(40));
      case 2 -> FakeRequestView.tokens(1, 2, 3, random.nextInt(100), random.nextInt(100));
      default ->
          new FakeRequestView(
              io.flexroute.GenerateRequest.builder()
                  .text(system + i)
                  .model("m" + random.nextInt(3))
                  .build(),
              false);
    };
  }
}
