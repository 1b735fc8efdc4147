package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.Router;
import io.flexroute.Worker;
import io.flexroute.core.strategy.CacheAwareConfig;
import io.flexroute.core.strategy.CacheAwareStrategy;
import io.flexroute.core.strategy.InFlightLoadScorer;
import io.flexroute.core.strategy.KvUsageGateFilter;
import io.flexroute.core.strategy.KvUsageScorer;
import io.flexroute.core.strategy.PrefixAffinityScorer;
import io.flexroute.core.strategy.PriorityGroupFilter;
import io.flexroute.core.strategy.ShortestTtftConfig;
import io.flexroute.core.strategy.ShortestTtftStrategy;
import io.flexroute.spi.Choice;
import io.flexroute.spi.CompositeStrategy;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerPicker;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import io.flexroute.testkit.worker.FakeWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snippets of docs/strategies.md, run against fake workers and fake worker views. */
class StrategySnippets {

  private final List<FakeWorker> fakes = new ArrayList<>();
  private final List<Worker> workers = new ArrayList<>();

  @BeforeEach
  void start() {
    String[] models = {"qwen3-8b", "qwen3-32b", "llama"};
    for (int i = 0; i < 3; i++) {
      FakeWorker fake = FakeWorker.builder().model(models[i]).start();
      fakes.add(fake);
      workers.add(Worker.builder("w" + i, fake.baseUrl()).model(models[i]).build());
    }
  }

  @AfterEach
  void stop() {
    fakes.forEach(FakeWorker::close);
  }

  private static void ask(Router router, String model) {
    router.chat(ChatRequest.builder().model(model).message(ChatMessage.user("hi")).build());
  }

  @Test
  void byName() {
    // tag::by-name[]
    Router router = Router.builder()
        .workers(workers)
        .strategy("cache_aware")
        .build();
    // end::by-name[]
    try (router) {
      ask(router, "llama");
      assertThat(router.strategyName()).isEqualTo("cache_aware");
    }
  }

  @Test
  void configured() {
    // tag::configured[]
    Router router = Router.builder()
        .workers(workers)
        .strategy(new CacheAwareStrategy(CacheAwareConfig.builder()
            .cacheThreshold(0.3)
            .maxTreeSizePerWorker(8_000_000)
            .build()))
        .loadPolling(Duration.ofSeconds(1))   // reported loads, for the strategies that read them
        .build();
    // end::configured[]
    try (router) {
      ask(router, "qwen3-8b");
      assertThat(router.strategyName()).isEqualTo("cache_aware");
    }
  }

  @Test
  void perModel() {
    // tag::per-model[]
    Router router = Router.builder()
        .workers(workers)
        .strategy("power_of_two")                                 // every other model
        .strategyForModel("qwen3-32b", "cache_aware")             // by name, default settings
        .strategyForModel("qwen3-8b", new ShortestTtftStrategy(
            ShortestTtftConfig.builder().prefillRate(w -> w.weight() * 4_000.0).build()))
        .build();
    // end::per-model[]
    try (router) {
      ask(router, "qwen3-8b");
      ask(router, "qwen3-32b");
      ask(router, "llama");
      assertThat(fakes).allSatisfy(f -> assertThat(f.requestCount()).isEqualTo(1));
    }
  }

  @Test
  void composite() {
    // tag::composite[]
    RoutingStrategy policy = CompositeStrategy.builder("gated_affinity")
        .filter(new PriorityGroupFilter())                    // the active failover group only
        .filter(new KvUsageGateFilter())                      // no worker whose KV cache is full
        .scorer(new PrefixAffinityScorer(), 2.0)              // share of the prompt it was sent
        .scorer(new InFlightLoadScorer(), 1.0)                // least loaded scores 1
        .scorer(new KvUsageScorer(), 0.5)                     // free KV cache
        .picker(WorkerPicker.highestScore())                  // ties at random (the default)
        .build();
    // end::composite[]
    List<WorkerView> fleet = List.copyOf(FakeWorkerView.fleet(3));
    ((FakeWorkerView) fleet.get(0)).setInFlight(4);
    ((FakeWorkerView) fleet.get(1)).setInFlight(4);
    Choice c = policy.select(FakeRequestView.text("hello"), fleet);
    assertThat(c.worker().id()).isEqualTo("w2");
  }

  @Test
  void customStrategyByName() {
    try (Router router =
        Router.builder()
            .workers(workers)
            .registerStrategy(new FewestTokensProvider())
            .strategy("fewest_tokens")
            .build()) {
      ask(router, "llama");
      assertThat(router.strategyName()).isEqualTo("fewest_tokens");
    }
  }

  @Test
  void testingIt() {
    // tag::testing[]
    List<WorkerView> fleet = List.copyOf(FakeWorkerView.fleet(3));   // w0, w1, w2
    ((FakeWorkerView) fleet.get(0)).setInFlightTokens(5_000);
    ((FakeWorkerView) fleet.get(1)).setReportedLoad(new WorkerLoad(2, 0, 0.95, System.nanoTime()));

    Choice c = new FewestTokensStrategy().select(FakeRequestView.text("hello"), fleet);
    assertThat(c.worker().id()).isNotEqualTo("w0");
    // end::testing[]
  }
}
