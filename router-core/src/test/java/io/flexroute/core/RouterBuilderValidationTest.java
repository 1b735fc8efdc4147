package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.AdmissionPolicy;
import io.flexroute.ChatRequest;
import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.CompletionRequest;
import io.flexroute.FinishReason;
import io.flexroute.GenerateRequest;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterConfig;
import io.flexroute.SamplingParams;
import io.flexroute.WeightVersions;
import io.flexroute.Worker;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.StrategyProvider;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Invalid builder settings and requests fail fast with an exception that names the field. */
class RouterBuilderValidationTest {

  @Test
  void noWorkersAndNoDiscovery() {
    assertThatThrownBy(() -> Router.builder().transport(FakeTransport.create()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workers");
  }

  @Test
  void duplicateWorkerIds() {
    assertThatThrownBy(
            () -> Router.builder().worker("a", "http://h1:1").worker("a", "http://h2:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate worker id 'a'");
  }

  @Test
  void malformedUrls() {
    assertThatThrownBy(() -> Worker.of("a", "not a url"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> Worker.of("a", "ftp://host:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http, https, grpc or grpcs");
    assertThatThrownBy(() -> Worker.of("a", "http://"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> Worker.of("a", "http://host:1/?x=1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query");
    assertThatThrownBy(() -> Worker.of(" ", "http://host:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
  }

  @Test
  void negativeWeight() {
    assertThatThrownBy(() -> Worker.builder("a", "http://h:1").weight(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weight")
        .hasMessageContaining("-1");
  }

  @Test
  void nonPositiveTimeouts() {
    assertThatThrownBy(() -> Router.builder().defaultTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultTimeout");
    assertThatThrownBy(() -> GenerateRequest.builder().timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void unknownStrategyListsTheAvailableOnes() {
    assertThatThrownBy(
            () ->
                Router.builder()
                    .transport(FakeTransport.create())
                    .worker("a", "http://h:1")
                    .strategy("fastest_please")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown strategy 'fastest_please'")
        .hasMessageContaining("least_inflight")
        .hasMessageContaining("power_of_two");
  }

  @Test
  void requestWithoutPrompt() {
    assertThatThrownBy(() -> GenerateRequest.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompt");
    assertThatThrownBy(() -> ChatRequest.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("messages");
    assertThatThrownBy(() -> CompletionRequest.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompt");
    assertThatThrownBy(() -> GenerateRequest.builder().text(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text");
  }

  @Test
  void negativeMaxTokens() {
    assertThatThrownBy(() -> SamplingParams.builder().maxNewTokens(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNewTokens");
    assertThatThrownBy(() -> ChatRequest.builder().maxTokens(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTokens");
  }

  @Test
  void temperatureOutOfRange() {
    assertThatThrownBy(() -> SamplingParams.builder().temperature(-0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> SamplingParams.builder().temperature(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> ChatRequest.builder().temperature(2.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> SamplingParams.builder().topP(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topP");
    assertThatThrownBy(() -> SamplingParams.builder().topK(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topK");
  }

  @Test
  void badRequestIdAndExtraBody() {
    assertThatThrownBy(() -> GenerateRequest.builder().requestId("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requestId");
    // gRPC metadata is ASCII: a non-ASCII id would reach the worker as '?' in the header only.
    assertThatThrownBy(() -> GenerateRequest.builder().requestId("req-\u00e9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("visible ASCII");
    assertThat(GenerateRequest.builder().text("x").requestId("job-42_step.7:a/b").build().requestId())
        .isEqualTo("job-42_step.7:a/b");
    assertThatThrownBy(() -> GenerateRequest.builder().extraBody("x", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extraBody.x");
  }

  @Test
  void defaultTimeoutOutOfRange() {
    assertThatThrownBy(() -> Router.builder().defaultTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultTimeout");
    assertThatThrownBy(() -> Router.builder().defaultTimeout(ChronoUnit.FOREVER.getDuration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultTimeout")
        .hasMessageContaining("3650 days");
  }

  @Test
  void aStrategyProviderThatFailsIsNamed() {
    StrategyProvider returnsNull = provider("broken_null", () -> null);
    StrategyProvider throwsOnCreate =
        provider(
            "broken_throw",
            () -> {
              throw new UnsupportedOperationException("not today");
            });
    for (StrategyProvider p : List.of(returnsNull, throwsOnCreate)) {
      assertThatThrownBy(
              () ->
                  Router.builder()
                      .worker("a", "http://h:1")
                      .transport(FakeTransport.create())
                      .registerStrategy(p)
                      .strategy(p.name())
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'" + p.name() + "'")
          .hasMessageContaining(p.getClass().getName());
    }
  }

  @Test
  void anUnknownStrategyListsTheKnownNamesEvenBesideAProviderWithoutOne() {
    assertThatThrownBy(
            () ->
                Router.builder()
                    .worker("a", "http://h:1")
                    .transport(FakeTransport.create())
                    .registerStrategy(provider(null, RoundRobinForTest::new))
                    .strategy("no_such_strategy")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown strategy 'no_such_strategy'")
        .hasMessageContaining("round_robin");
  }

  @Test
  void aConfigMadeWithoutTheBuilderIsValidatedToo() {
    RouterConfig valid = configWith(List.of(Worker.of("a", "http://h:1")), Duration.ofSeconds(1));
    assertThat(valid.workers()).hasSize(1);

    assertThatThrownBy(
            () ->
                configWith(
                    List.of(Worker.of("a", "http://h:1"), Worker.of("a", "http://h:2")),
                    Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate worker id 'a'");
    assertThatThrownBy(() -> configWith(List.of(), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultTimeout");
    assertThatThrownBy(() -> configWith(List.of(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("defaultTimeout");
  }

  @Test
  void finishReasonOfNullNamesTheArgument() {
    assertThatThrownBy(() -> FinishReason.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("raw");
  }

  private static RouterConfig configWith(List<Worker> workers, Duration defaultTimeout) {
    return new RouterConfig(
        workers,
        "round_robin",
        null,
        List.of(),
        Map.of(),
        Map.of(),
        List.of(),
        List.of(),
        List.of(),
        defaultTimeout,
        null,
        null,
        RetryPolicy.defaults(),
        CircuitBreakerPolicy.defaults(),
        null,
        AdmissionPolicy.defaults(),
        WeightVersions.naturalOrder());
  }

  private static StrategyProvider provider(String name, Supplier<RoutingStrategy> create) {
    return new StrategyProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public RoutingStrategy create() {
        return create.get();
      }
    };
  }

  /** A minimal strategy: the first candidate. */
  private static final class RoundRobinForTest implements RoutingStrategy {
    @Override
    public String name() {
      return "first";
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      return Choice.of(candidates.get(0));
    }
  }
}
