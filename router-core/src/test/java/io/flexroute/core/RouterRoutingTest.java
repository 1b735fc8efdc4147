package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthState;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestRejectedException;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.Worker;
import io.flexroute.WorkerChangeListener;
import io.flexroute.WorkerRole;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Eligibility, request ids, headers, strategy resolution and plug-in fault isolation. */
class RouterRoutingTest {

  private final FakeTransport transport = FakeTransport.create();


  @Test
  void routesOnlyToWorkersServingTheModelAndRole() {
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker(Worker.builder("qwen", "http://a:1").model("qwen").build())
            .worker(Worker.builder("llama", "http://b:1").model("llama").build())
            .worker(
                Worker.builder("prefill", "http://c:1")
                    .model("qwen")
                    .role(WorkerRole.PREFILL)
                    .build())
            .strategy("round_robin")
            .build()) {
      for (int i = 0; i < 10; i++) {
        assertThat(router.generate(GenerateRequest.builder().text("x").model("qwen").build())
                .workerId())
            .isEqualTo("qwen");
      }
      assertThat(
              router
                  .generate(
                      GenerateRequest.builder()
                          .text("x")
                          .model("qwen")
                          .role(WorkerRole.PREFILL)
                          .build())
                  .workerId())
          .isEqualTo("prefill");
      assertThatThrownBy(
              () -> router.generate(GenerateRequest.builder().text("x").model("mistral").build()))
          .isInstanceOf(NoEligibleWorkerException.class)
          .hasMessageContaining("model=mistral")
          .hasMessageContaining("none of the 3 workers serves");
    }
  }

  @Test
  void unhealthyAndDrainingWorkersGetNoNewRequests() {
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .worker("b", "http://b:1")
            .build()) {
      router.workers().setHealth("a", HealthState.UNHEALTHY);
      for (int i = 0; i < 20; i++) {
        assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("b");
      }
      router.workers().setHealth("b", HealthState.DRAINING);
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(NoEligibleWorkerException.class)
          .hasMessageContaining("unavailable");
      router.workers().setHealth("a", HealthState.HEALTHY);
      assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("a");
    }
  }

  @Test
  void checkHealthRecordsTheProbeResult() {
    try (Router router =
        Router.builder().transport(transport).worker("a", "http://a:1").build()) {
      transport.healthy("a", false);
      assertThat(router.checkHealth("a").join()).isEqualTo(HealthState.UNHEALTHY);
      assertThat(router.workers().view("a").orElseThrow().health())
          .isEqualTo(HealthState.UNHEALTHY);
      transport.healthy("a", true);
      assertThat(router.checkHealth("a").join()).isEqualTo(HealthState.HEALTHY);
      assertThatThrownBy(() -> router.checkHealth("zz"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void generatesFixedLengthRequestIdsAndKeepsTheCallersOwn() throws Exception {
    try (Router router =
        Router.builder().transport(transport).worker("a", "http://a:1").build()) {
      GenerateResult generated = router.generate(GenerateRequest.ofText("x"));
      assertThat(generated.requestId()).matches("[0-9a-f]{32}");
      GenerateResult own =
          router.generate(GenerateRequest.builder().text("x").requestId("my-id-1").build());
      assertThat(own.requestId()).isEqualTo("my-id-1");
      assertThat(transport.calls()).extracting(FakeCall::requestId)
          .containsExactly(generated.requestId(), "my-id-1");
    }
  }

  @Test
  void mergesWorkerAndRequestHeadersAndSetsTheDeadline() {
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker(
                Worker.builder("a", "http://a:1")
                    .header("X-Tenant", "t1")
                    .header("X-Both", "worker")
                    .build())
            .defaultTimeout(Duration.ofSeconds(7))
            .build()) {
      router.chat(
          ChatRequest.builder()
              .message(ChatMessage.user("hi"))
              .header("X-Both", "request")
              .build());
      FakeCall call = transport.calls().get(0);
      assertThat(call.headers()).containsEntry("X-Tenant", "t1").containsEntry("X-Both", "request");
      assertThat(call.remaining()).isLessThanOrEqualTo(Duration.ofSeconds(7));
    }
  }

  @Test
  void rejectsGenerateWithSeveralSamples() {
    try (Router router =
        Router.builder().transport(transport).worker("a", "http://a:1").build()) {
      GenerateRequest request =
          GenerateRequest.builder()
              .text("x")
              .sampling(SamplingParams.builder().n(4).build())
              .build();
      assertThatThrownBy(() -> router.generate(request))
          .isInstanceOf(RequestRejectedException.class)
          .hasMessageContaining("n must be 1");
    }
  }

  @Test
  void aThrowingStrategyNeverFailsARequest() {
    RoutingStrategy broken =
        new RoutingStrategy() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            throw new IllegalStateException("bug in plug-in");
          }
        };
    try (Router router =
        Router.builder().transport(transport).worker("a", "http://a:1").strategy(broken).build()) {
      assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("a");
    }
  }

  @Test
  void aStrategyThatThrowsAnError_failsTheRequestWithoutKeepingItsPermit() {
    RoutingStrategy broken =
        new RoutingStrategy() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            throw new AssertionError("bug in plug-in");
          }
        };
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .strategy(broken)
            .admission(io.flexroute.AdmissionPolicy.builder().maxConcurrentRequests(1).build())
            .build()) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
            .isInstanceOf(io.flexroute.RouterException.class)
            .hasRootCauseInstanceOf(AssertionError.class);
      }
      assertThat(router.workers().view("a").orElseThrow().inFlightRequests()).isZero();
    }
  }

  @Test
  void aStrategyChoosingAStrangerFallsBackToACandidate() {
    WorkerView stranger = io.flexroute.testkit.fake.FakeWorkerView.of("stranger");
    RoutingStrategy wrong =
        new RoutingStrategy() {
          @Override
          public String name() {
            return "wrong";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            return Choice.of(stranger);
          }
        };
    try (Router router =
        Router.builder().transport(transport).worker("a", "http://a:1").strategy(wrong).build()) {
      assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("a");
    }
  }

  @Test
  void aDecliningStrategyRejectsWithItsReason() {
    RoutingStrategy declining =
        new RoutingStrategy() {
          @Override
          public String name() {
            return "declining";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            return Choice.none("all busy");
          }
        };
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .strategy(declining)
            .build()) {
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(NoEligibleWorkerException.class)
          .hasMessageContaining("all busy");
    }
  }

  @Test
  void strategiesAreFoundByNameAndRegisteredProvidersWin() {
    for (String name :
        List.of("round_robin", "random", "least_inflight", "power_of_two", "weighted_round_robin")) {
      try (Router router =
          Router.builder()
              .transport(transport)
              .worker("a", "http://a:1")
              .strategy(name)
              .build()) {
        assertThat(router.strategyName()).isEqualTo(name);
        assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("a");
      }
    }
    StrategyProvider custom =
        new StrategyProvider() {
          @Override
          public String name() {
            return "round_robin";
          }

          @Override
          public RoutingStrategy create() {
            return new RoutingStrategy() {
              @Override
              public String name() {
                return "custom_round_robin";
              }

              @Override
              public Choice select(RequestView request, List<WorkerView> candidates) {
                return Choice.of(candidates.get(candidates.size() - 1));
              }
            };
          }
        };
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a:1")
            .worker("b", "http://b:1")
            .registerStrategy(custom)
            .strategy("round_robin")
            .build()) {
      assertThat(router.strategyName()).isEqualTo("custom_round_robin");
      assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("b");
    }
  }

  @Test
  void workersCanBeAddedUpdatedAndRemovedAtRunTime() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Router router =
        Router.builder().transport(transport).worker("a", "http://a:1").build()) {
      try (AutoCloseable sub =
          router
              .workers()
              .addListener(
                  new WorkerChangeListener() {
                    @Override
                    public void workerAdded(Worker worker) {
                      events.add("+" + worker.id());
                    }

                    @Override
                    public void workerRemoved(Worker worker) {
                      events.add("-" + worker.id());
                    }
                  })) {
        router.workers().add(Worker.of("b", "http://b:1"));
        assertThatThrownBy(() -> router.workers().add(Worker.of("b", "http://b:2")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("duplicate");
        router.workers().update(Worker.builder("b", "http://b:1").weight(9).build());
        assertThat(router.workers().view("b").orElseThrow().worker().weight()).isEqualTo(9);
        assertThat(router.workers().remove("a")).isTrue();
        assertThat(router.workers().remove("a")).isFalse();
        for (int i = 0; i < 5; i++) {
          assertThat(router.generate(GenerateRequest.ofText("x")).workerId()).isEqualTo("b");
        }
      }
      router.workers().remove("b");
      assertThat(events).containsExactly("+b", "-a");
      assertThatThrownBy(() -> router.generate(GenerateRequest.ofText("x")))
          .isInstanceOf(NoEligibleWorkerException.class)
          .hasMessageContaining("no workers");
    }
  }
}
