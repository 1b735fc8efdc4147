package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ChatChunk;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.core.strategy.CacheAwareStrategy;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import io.flexroute.testkit.fake.RecordingRouterListener;
import io.flexroute.testkit.worker.FakeWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Strategies inside a real router: per-model assignment, accounting on every path, loads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StrategyRoutingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String SYSTEM = "system: You are a careful assistant. ".repeat(30);

  /** A strategy that always takes the first candidate and counts its selections. */
  private static final class Recording implements RoutingStrategy {
    final String name;
    final List<String> models = new CopyOnWriteArrayList<>();

    Recording(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      models.add(String.valueOf(request.model()));
      return Choice.of(candidates.get(0));
    }
  }

  private static GenerateRequest forModel(String model) {
    return GenerateRequest.builder().text("hi").model(model).build();
  }

  @Test
  void eachModelIsRoutedByItsOwnStrategy() {
    Recording fallback = new Recording("fallback");
    Recording forA = new Recording("for_a");
    List<String> tags = new CopyOnWriteArrayList<>();
    RouterListener listener =
        new RouterListener() {
          @Override
          public void workerSelected(RequestView request, WorkerView worker, String strategy) {
            tags.add(strategy);
          }
        };
    try (Router router =
        Router.builder()
            .transport(FakeTransport.create())
            .worker("w1", "http://w1.invalid:1")
            .strategy(fallback)
            .strategyForModel("a", forA)
            .strategyForModel("b", "round_robin")
            .listener(listener)
            .build()) {
      router.generate(forModel("a"));
      router.generate(forModel("b"));
      router.generate(forModel("c"));
      router.generate(GenerateRequest.ofText("no model"));
      assertThat(forA.models).containsExactly("a");
      assertThat(fallback.models).containsExactly("c", "null");
      // Metrics name the strategy that routed each request.
      assertThat(tags).containsExactly("for_a", "round_robin", "fallback", "fallback");
    }
  }

  @Test
  void anUnknownPerModelStrategyNameFailsTheBuildNamingTheModel() {
    assertThatThrownBy(
            () ->
                Router.builder()
                    .transport(FakeTransport.create())
                    .worker("w1", "http://w1.invalid:1")
                    .strategyForModel("qwen", "no_such_strategy")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strategyForModel('qwen')")
        .hasMessageContaining("cache_aware");
    assertThatThrownBy(() -> Router.builder().strategyForModel(" ", "random"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model");
  }

  @Test
  void everyBuiltInStrategyIsSelectableByName() {
    for (String name :
        List.of(
            "round_robin", "random", "least_inflight", "power_of_two", "weighted_round_robin",
            "session_affinity", "cache_aware", "shortest_ttft", "least_token_work", "peak_ewma",
            "consistent_hash", "priority_failover")) {
      try (Router router =
          Router.builder()
              .transport(FakeTransport.create())
              .worker("w1", "http://w1.invalid:1")
              .worker("w2", "http://w2.invalid:1")
              .strategy(name)
              .build()) {
        assertThat(router.strategyName()).isEqualTo(name);
        assertThat(router.generate(GenerateRequest.ofText(SYSTEM + "q")).workerId())
            .isIn("w1", "w2");
      }
    }
  }

  /**
   * Cache-aware routing of requests that all share one long system prompt, ended in every way a
   * request can end: the router's in-flight counts return to zero after each round, and every
   * round is spread as evenly as the first.
   */
  @Test
  void cacheAwareStaysBalancedWhateverWayRequestsEnd() throws Exception {
    FakeTransport transport = FakeTransport.create().behavior(FakeTransport.Behavior.HOLD);
    RecordingRouterListener listener = new RecordingRouterListener();
    List<String> workers = List.of("w0", "w1", "w2", "w3");
    io.flexroute.RouterBuilder builder =
        Router.builder()
            .transport(transport)
            .strategy(new CacheAwareStrategy())
            .retry(RetryPolicy.disabled())
            .circuitBreaker(io.flexroute.CircuitBreakerPolicy.disabled())
            .listener(listener);
    for (String w : workers) {
      builder.worker(w, "http://" + w + ".invalid:1");
    }
    try (Router router = builder.build()) {
      int perRound = 16;
      int finished = 0;
      for (int round = 0; round < 7; round++) {
        List<Runnable> ends = new ArrayList<>();
        Map<String, Integer> placed = new HashMap<>();
        for (int i = 0; i < perRound; i++) {
          String prompt = SYSTEM + "user: round " + round + " question " + i;
          ends.add(startAndPlan(router, transport, round, prompt, placed));
        }
        // While all of them run: spread over the workers, not piled onto the system prompt's.
        assertThat(placed).hasSize(4);
        assertThat(placed.values()).allSatisfy(n -> assertThat(n).isBetween(2, 7));
        for (Runnable end : ends) {
          end.run();
        }
        finished += perRound;
        listener.awaitFinished(finished, WAIT);
        for (String w : workers) {
          assertThat(router.workers().view(w).orElseThrow().inFlightRequests())
              .as("in flight on %s after round %d", w, round)
              .isZero();
          assertThat(router.workers().view(w).orElseThrow().inFlightTokens()).isZero();
        }
      }
    }
  }

  /**
   * Starts one request, ended later in the way chosen by the round: success, worker error, caller
   * cancel, stream to the end, stream error, stream closed early, or deadline.
   */
  private static Runnable startAndPlan(
      Router router, FakeTransport transport, int round, String prompt,
      Map<String, Integer> placed) throws Exception {
    switch (round) {
      case 0, 1, 2, 6 -> {
        GenerateRequest.Builder b = GenerateRequest.builder().text(prompt);
        if (round == 6) {
          b.timeout(Duration.ofMillis(300));
        }
        CompletableFuture<GenerateResult> f = router.generateAsync(b.build());
        FakeCall call = transport.awaitCall(WAIT);
        placed.merge(call.workerId(), 1, Integer::sum);
        return () -> {
          try {
            switch (round) {
              case 0 -> {
                call.complete();
                f.get(10, TimeUnit.SECONDS);
              }
              case 1 -> {
                call.fail(
                    new WorkerException(
                        call.workerId(), WorkerException.Kind.HTTP_STATUS, 500, "boom", null,
                        null));
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
              }
              case 2 -> {
                f.cancel(true);
                assertThat(call.awaitCancelled(WAIT)).isTrue();
              }
              default -> {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(io.flexroute.RequestTimeoutException.class);
              }
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
      }
      case 3, 4 -> {
        ResponseStream<ChatChunk> stream =
            router.chatStream(ChatRequest.builder().message(ChatMessage.user(prompt)).build());
        FakeCall call = transport.awaitCall(WAIT);
        placed.merge(call.workerId(), 1, Integer::sum);
        return () -> {
          call.emit("a");
          if (round == 3) {
            call.end();
            StringBuilder text = new StringBuilder();
            stream.forEach(c -> text.append(c.content()));
            assertThat(text.toString()).isEqualTo("a");
          } else {
            call.failStream(
                new WorkerException(
                    call.workerId(), WorkerException.Kind.STREAM_ERROR, 0, "oops", null, null));
            assertThatThrownBy(() -> stream.forEach(c -> {}))
                .isInstanceOf(WorkerException.class);
          }
          stream.close();
        };
      }
      default -> {
        ResponseStream<GenerateChunk> stream =
            router.generateStream(GenerateRequest.ofText(prompt));
        FakeCall call = transport.awaitCall(WAIT);
        placed.merge(call.workerId(), 1, Integer::sum);
        return () -> {
          call.emit("a");
          Iterator<GenerateChunk> it = stream.iterator();
          assertThat(it.next().textDelta()).isEqualTo("a");
          stream.close();
          try {
            assertThat(call.awaitCancelled(WAIT)).isTrue();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        };
      }
    }
  }

  @Test
  void loadsPolledFromHttpWorkersReachTheStrategies() throws Exception {
    try (FakeWorker a = FakeWorker.builder().model("m").start();
        FakeWorker b = FakeWorker.builder().model("m").start()) {
      List<WorkerLoad> seen = new CopyOnWriteArrayList<>();
      RoutingStrategy reading =
          new RoutingStrategy() {
            @Override
            public String name() {
              return "reading";
            }

            @Override
            public Choice select(RequestView request, List<WorkerView> candidates) {
              for (WorkerView w : candidates) {
                WorkerLoad load = w.reportedLoad();
                if (load != null) {
                  seen.add(load);
                }
              }
              return Choice.of(candidates.get(0));
            }
          };
      try (Router router =
          Router.builder()
              .worker(Worker.builder("a", a.baseUrl()).model("m").build())
              .worker(Worker.builder("b", b.baseUrl()).model("m").build())
              .strategy(reading)
              .loadPolling(Duration.ofMillis(20))
              .build()) {
        for (String id : List.of("a", "b")) {
          WorkerView view = router.workers().view(id).orElseThrow();
          long deadline = System.nanoTime() + WAIT.toNanos();
          while (view.reportedLoad() == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(5_000_000);
          }
          assertThat(view.reportedLoad()).as("load of %s", id).isNotNull();
        }
        router.generate(GenerateRequest.builder().text("hi").model("m").build());
        assertThat(seen).hasSize(2);
        assertThat(seen).allSatisfy(l -> assertThat(l.kvCacheUsage()).isBetween(0.0, 1.0));
      }
    }
  }
}
