package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.AdmissionPolicy;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.RouterBuilder;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeCall;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The workers a selection leaves out ({@link RequestView#excludedWorkers()}): named to the strategy,
 * carried back in its feedback, and never taken even when a strategy returns one.
 */
@Timeout(60) // a strategy re-picking a full worker once made the selection loop spin
class ExcludedWorkersTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeTransport transport = FakeTransport.create();

  /**
   * Always returns the view of worker "a" it saw first, as a strategy with a stale cache would,
   * and records what each selection and completion was told.
   */
  private static final class AlwaysA implements RoutingStrategy {
    private volatile @Nullable WorkerView a;
    final List<List<String>> excludedAtSelect = new CopyOnWriteArrayList<>();
    final List<String> feedback = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "always_a";
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      excludedAtSelect.add(ids(request.excludedWorkers()));
      for (WorkerView w : candidates) {
        if (w.id().equals("a") && a == null) {
          a = w;
        }
      }
      WorkerView stale = a;
      return Choice.of(stale != null ? stale : candidates.get(0));
    }

    @Override
    public void onComplete(RequestFeedback f) {
      feedback.add(f.worker().id() + " excluding " + ids(f.request().excludedWorkers()));
    }
  }

  private static List<String> ids(List<WorkerView> views) {
    return views.stream().map(WorkerView::id).toList();
  }

  private RouterBuilder builder(RoutingStrategy strategy) {
    return Router.builder()
        .transport(transport)
        .strategy(strategy)
        .retry(RetryPolicy.builder().initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build())
        .worker("a", "http://a.invalid:1")
        .worker("b", "http://b.invalid:1");
  }

  @Test
  void aRetryNamesTheFailedWorker_andAStrategyThatPicksItAgainIsOverruled() {
    transport.behavior("a", FakeTransport.Behavior.status(503));
    AlwaysA strategy = new AlwaysA();
    try (Router router = builder(strategy).build()) {
      GenerateResult result = router.generate(GenerateRequest.ofText("x"));

      assertThat(result.workerId()).isEqualTo("b");
      assertThat(strategy.excludedAtSelect).containsExactly(List.of(), List.of("a"));
      // Each attempt's feedback carries the view its selection was given.
      assertThat(strategy.feedback).containsExactly("a excluding []", "b excluding [a]");
    }
  }

  @Test
  void aParkedWorkerPickedByAStrategyIsOverruled() {
    transport.behavior(
        "a",
        call -> {
          call.fail(
              new io.flexroute.WorkerException(
                  "a", io.flexroute.WorkerException.Kind.HTTP_STATUS, 429, "slow down", null,
                  Duration.ofMinutes(1), null));
          return FakeTransport.Action.HOLD;
        });
    AlwaysA strategy = new AlwaysA();
    try (Router router = builder(strategy).build()) {
      assertThat(router.generate(GenerateRequest.ofText("1")).workerId()).isEqualTo("b");
      // "a" is parked for a minute: a new request's strategy still answers "a".
      for (int i = 0; i < 3; i++) {
        assertThat(router.generate(GenerateRequest.ofText("2")).workerId()).isEqualTo("b");
      }
      assertThat(transport.calls().stream().filter(c -> c.workerId().equals("a"))).hasSize(1);
    }
  }

  @Test
  void aWorkerAtItsLimitIsNamedToTheNextChoice_andAStrategyThatPicksItAgainIsOverruled()
      throws Exception {
    transport.behavior("a", FakeTransport.Behavior.HOLD);
    AlwaysA strategy = new AlwaysA();
    try (Router router =
        builder(strategy)
            .admission(AdmissionPolicy.builder().maxConcurrentPerWorker(1).build())
            .build()) {
      CompletableFuture<GenerateResult> held = router.generateAsync(GenerateRequest.ofText("1"));
      FakeCall onA = transport.awaitCall(WAIT);
      assertThat(onA.workerId()).isEqualTo("a");

      // "a" is full: the strategy's second answer for this request must not be "a" again.
      GenerateResult second = router.generate(GenerateRequest.ofText("2"));

      assertThat(second.workerId()).isEqualTo("b");
      assertThat(strategy.excludedAtSelect.subList(1, 3)).containsExactly(List.of(), List.of("a"));
      onA.complete();
      assertThat(held.get(10, TimeUnit.SECONDS).workerId()).isEqualTo("a");
    }
  }
}
