package io.flexroute.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReplayTest {

  private static final Trace ROLLOUTS =
      TraceGenerator.rollouts(
          RolloutTraceConfig.builder()
              .systemPrompts(2, IntRange.of(300, 500))
              .prompts(16, IntRange.of(100, 300))
              .samplesPerPrompt(4)
              .turns(IntRange.of(3, 8))
              .outputTokens(IntRange.of(20, 120))
              .toolOutputTokens(IntRange.of(100, 600))
              .toolLatency(DurationRange.ofMillis(100, 1000))
              .build(),
          17);

  private static final ReplayConfig CONFIG =
      ReplayConfig.builder()
          .fleet(FleetConfig.builder().workers(4).build())
          .maxConcurrentConversations(32)
          .build();

  /** Candidates in turn; deterministic. */
  static final class TurnByTurn implements RoutingStrategy {
    private int next;

    @Override
    public String name() {
      return "turn_by_turn";
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      return Choice.of(candidates.get(next++ % candidates.size()));
    }
  }

  /** A conversation stays on the worker least loaded when it started; deterministic. */
  static final class Sticky implements RoutingStrategy {
    private final Map<String, WorkerView> assigned = new HashMap<>();

    @Override
    public String name() {
      return "sticky";
    }

    @Override
    public Choice select(RequestView request, List<WorkerView> candidates) {
      return Choice.of(
          assigned.computeIfAbsent(
              request.routingKey(),
              k -> {
                WorkerView best = candidates.get(0);
                for (WorkerView w : candidates) {
                  if (w.inFlightRequests() < best.inFlightRequests()) {
                    best = w;
                  }
                }
                return best;
              }));
    }
  }

  @Test
  void aDeterministicStrategyGetsTheSameResultsForTheSameSeed() {
    ReplayResult first = Replay.run(ROLLOUTS, CONFIG, new TurnByTurn());
    ReplayResult second = Replay.run(ROLLOUTS, CONFIG, new TurnByTurn());

    assertThat(second).isEqualTo(first);
    assertThat(first.requests()).isEqualTo(ROLLOUTS.requests());
    assertThat(first.promptTokens()).isEqualTo(ROLLOUTS.promptTokens());
    assertThat(first.outputTokens()).isEqualTo(ROLLOUTS.outputTokens());
    assertThat(first.conversations()).isEqualTo(64);
    assertThat(first.strategy()).isEqualTo("turn_by_turn");
    assertThat(first.trace()).isEqualTo("multi-turn-rollouts");
    assertThat(first.requestsPerWorker()).hasSize(4);
    assertThat(first.duration()).isPositive();
    assertThat(first.p99Ttft()).isGreaterThanOrEqualTo(first.p50Ttft());
  }

  @Test
  void keepingConversationsOnOneWorkerReusesTheirCache() {
    ReplayResult spread = Replay.run(ROLLOUTS, CONFIG, new TurnByTurn());
    ReplayResult sticky = Replay.run(ROLLOUTS, CONFIG, new Sticky());

    assertThat(sticky.cacheHitRate()).isGreaterThan(spread.cacheHitRate() + 0.2);
    assertThat(sticky.meanTtft()).isLessThan(spread.meanTtft());
    assertThat(sticky.outputTokensPerSecond()).isGreaterThan(spread.outputTokensPerSecond());
  }

  @Test
  void drivesTheStrategyAsTheRouterDoes() {
    List<String> problems = new ArrayList<>();
    Set<String> selected = new HashSet<>();
    Set<String> completed = new HashSet<>();
    List<List<WorkerView>> lists = new ArrayList<>();
    RoutingStrategy recording =
        new RoutingStrategy() {
          private final TurnByTurn inner = new TurnByTurn();
          private final Map<String, Integer> inFlightAtSelect = new HashMap<>();

          @Override
          public String name() {
            return "recording";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            if (lists.isEmpty() || lists.get(0) != candidates) {
              lists.add(candidates);
            }
            if (!selected.add(request.requestId())) {
              problems.add("selected twice: " + request.requestId());
            }
            if (request.promptTokenIds() == null
                || request.promptTokenIds().size() != request.estimatedPromptTokens()) {
              problems.add("prompt ids and estimate differ");
            }
            if (request.routingKey() == null || !request.routingKey().startsWith("rollout-p")) {
              problems.add("routing key " + request.routingKey());
            }
            if (!FleetConfig.DEFAULT_MODEL.equals(request.model())) {
              problems.add("model " + request.model());
            }
            Choice c = inner.select(request, candidates);
            inFlightAtSelect.put(request.requestId(), c.worker().inFlightRequests());
            return c;
          }

          @Override
          public void onComplete(RequestFeedback f) {
            String id = f.request().requestId();
            if (!completed.add(id) || !selected.contains(id)) {
              problems.add("unexpected completion of " + id);
            }
            if (f.usage() == null
                || f.usage().promptTokens() != f.request().estimatedPromptTokens()
                || f.usage().cachedTokens() > f.usage().promptTokens()
                || f.usage().completionTokens() < 1) {
              problems.add("usage " + f.usage());
            }
            if (f.timeToFirstChunk() == null || f.timeToFirstChunk().compareTo(f.duration()) > 0) {
              problems.add("ttft " + f.timeToFirstChunk() + " of " + f.duration());
            }
            if (f.worker().ewmaTtftNanos() <= 0 || f.worker().ewmaLatencyNanos() <= 0) {
              problems.add("averages not recorded before onComplete");
            }
          }
        };

    ReplayResult r = Replay.run(ROLLOUTS, CONFIG, recording);

    assertThat(problems).isEmpty();
    assertThat(lists).hasSize(1);
    assertThat(completed).hasSize((int) ROLLOUTS.requests());
    long completedOnWorkers = 0;
    for (WorkerView w : lists.get(0)) {
      assertThat(w.inFlightRequests()).isZero();
      assertThat(w.inFlightTokens()).isZero();
      completedOnWorkers += w.completedRequests();
    }
    assertThat(completedOnWorkers).isEqualTo(r.requests());
  }

  @Test
  void nonStreamingRequestsReportNoTimeToFirstChunk() {
    List<RequestFeedback> feedback = new ArrayList<>();
    RoutingStrategy s =
        new RoutingStrategy() {
          private final TurnByTurn inner = new TurnByTurn();

          @Override
          public String name() {
            return "t";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            return inner.select(request, candidates);
          }

          @Override
          public void onComplete(RequestFeedback f) {
            feedback.add(f);
          }
        };
    Replay.run(ROLLOUTS, CONFIG.toBuilder().streaming(false).build(), s);

    assertThat(feedback).isNotEmpty().allSatisfy(f -> assertThat(f.timeToFirstChunk()).isNull());
    assertThat(feedback.get(feedback.size() - 1).worker().ewmaTtftNanos()).isZero();
  }

  @Test
  void textPromptsAreEstimatedAtFourCharactersPerToken() {
    List<String> problems = new ArrayList<>();
    RoutingStrategy s =
        new RoutingStrategy() {
          private final TurnByTurn inner = new TurnByTurn();

          @Override
          public String name() {
            return "t";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            String text = request.promptText();
            if (request.promptTokenIds() != null
                || text == null
                || request.estimatedPromptTokens() != (text.length() + 3) / 4) {
              problems.add(request.requestId());
            }
            return inner.select(request, candidates);
          }
        };
    ReplayResult r =
        Replay.run(ROLLOUTS, CONFIG.toBuilder().promptForm(PromptForm.TEXT).build(), s);

    assertThat(problems).isEmpty();
    assertThat(r.promptTokens()).isEqualTo(ROLLOUTS.promptTokens());
  }

  @Test
  void aFaultyStrategyIsRoutedAroundAndCounted() {
    RoutingStrategy faulty =
        new RoutingStrategy() {
          private int calls;
          private final WorkerView stranger = FakeWorkerView.of("stranger");

          @Override
          public String name() {
            return "faulty";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            int call = calls++;
            if (call % 3 == 0) {
              throw new IllegalStateException("boom");
            }
            if (call % 3 == 1) {
              return Choice.of(stranger);
            }
            return Choice.of(candidates.get(0));
          }
        };
    ReplayResult r = Replay.run(ROLLOUTS, CONFIG, faulty);

    assertThat(r.requests()).isEqualTo(ROLLOUTS.requests());
    long faultyCalls =
        LongStream.range(0, ROLLOUTS.requests()).filter(call -> call % 3 != 2).count();
    assertThat(r.strategyFaults()).isEqualTo(faultyCalls);
    assertThat(r.rejectedRequests()).isZero();
  }

  @Test
  void aDeclinedRequestEndsItsConversation() {
    RoutingStrategy declining =
        new RoutingStrategy() {
          private final TurnByTurn inner = new TurnByTurn();

          @Override
          public String name() {
            return "declining";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            return request.routingKey().endsWith("-s1")
                ? Choice.none("no")
                : inner.select(request, candidates);
          }
        };
    ReplayResult r = Replay.run(ROLLOUTS, CONFIG, declining);

    long declinedTurns =
        ROLLOUTS.conversations().stream()
            .filter(c -> c.id().endsWith("-s1"))
            .mapToLong(Conversation::turns)
            .sum();
    assertThat(r.rejectedRequests()).isEqualTo(16);
    assertThat(r.requests()).isEqualTo(ROLLOUTS.requests() - declinedTurns);
  }

  @Test
  void workersReportTheirLoadOnTheVirtualClockAtTheConfiguredInterval() {
    List<String> problems = new ArrayList<>();
    long interval = Duration.ofMillis(500).toNanos();
    ReplayConfig config =
        CONFIG.toBuilder()
            .fleet(CONFIG.fleet().toBuilder().loadPollInterval(Duration.ofMillis(500)).build())
            .build();
    Replay.run(
        ROLLOUTS,
        config,
        (LongSupplier clock) ->
            new RoutingStrategy() {
              private final TurnByTurn inner = new TurnByTurn();
              private long sawBusyReport;

              @Override
              public String name() {
                return "t";
              }

              @Override
              public Choice select(RequestView request, List<WorkerView> candidates) {
                long now = clock.getAsLong();
                for (WorkerView w : candidates) {
                  WorkerLoad load = w.reportedLoad();
                  if (load == null) {
                    problems.add("no load");
                    continue;
                  }
                  long age = now - load.reportedAtNanos();
                  if (age < 0 || age >= interval) {
                    problems.add("age " + age);
                  }
                  if (load.runningRequests() > 0) {
                    sawBusyReport++;
                  }
                }
                return inner.select(request, candidates);
              }

              @Override
              public void onComplete(RequestFeedback feedback) {
                if (sawBusyReport == 0 && feedback.worker().completedRequests() > 50) {
                  problems.add("loads never showed running requests");
                }
              }
            });

    assertThat(problems).isEmpty();
  }

  @Test
  void withoutPollingNoLoadIsReported() {
    List<WorkerLoad> loads = new ArrayList<>();
    ReplayConfig config =
        CONFIG.toBuilder().fleet(CONFIG.fleet().toBuilder().loadPollInterval(null).build()).build();
    Replay.run(
        ROLLOUTS,
        config,
        new RoutingStrategy() {
          @Override
          public String name() {
            return "t";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            for (WorkerView w : candidates) {
              if (w.reportedLoad() != null) {
                loads.add(w.reportedLoad());
              }
            }
            return Choice.of(candidates.get(0));
          }
        });

    assertThat(loads).isEmpty();
  }

  @Test
  void theConcurrencyLimitBoundsTheConversationsInProgress() {
    int[] most = new int[1];
    RoutingStrategy s =
        new RoutingStrategy() {
          private final TurnByTurn inner = new TurnByTurn();

          @Override
          public String name() {
            return "t";
          }

          @Override
          public Choice select(RequestView request, List<WorkerView> candidates) {
            int inFlight = 1;
            for (WorkerView w : candidates) {
              inFlight += w.inFlightRequests();
            }
            most[0] = Math.max(most[0], inFlight);
            return inner.select(request, candidates);
          }
        };
    ReplayResult r =
        Replay.run(ROLLOUTS, CONFIG.toBuilder().maxConcurrentConversations(5).build(), s);

    assertThat(most[0]).isEqualTo(5);
    assertThat(r.meanInFlight()).isLessThanOrEqualTo(5 / 4.0);
  }

  @Test
  void rejectsConversationsLongerThanAWorkersCache() {
    ReplayConfig tiny =
        CONFIG.toBuilder()
            .fleet(
                FleetConfig.builder()
                    .engine(EngineProfile.builder().kvCapacityTokens(1024).build())
                    .build())
            .build();

    assertThatThrownBy(() -> Replay.run(ROLLOUTS, tiny, new TurnByTurn()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KV cache");
  }
}
