package io.flexroute.benchmarks.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.spi.StrategyProvider;
import io.flexroute.testkit.sim.FleetConfig;
import io.flexroute.testkit.sim.IntRange;
import io.flexroute.testkit.sim.Replay;
import io.flexroute.testkit.sim.ReplayConfig;
import io.flexroute.testkit.sim.ReplayResult;
import io.flexroute.testkit.sim.RolloutTraceConfig;
import io.flexroute.testkit.sim.Trace;
import io.flexroute.testkit.sim.TraceGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategyReplayTest {

  /** 16 short rollouts. */
  private static Trace tinyTrace() {
    return TraceGenerator.rollouts(
        RolloutTraceConfig.builder()
            .prompts(8, IntRange.of(50, 100))
            .samplesPerPrompt(2)
            .turns(IntRange.of(2, 3))
            .build(),
        1);
  }

  /** Three workers, six conversations at once. */
  private static ReplayConfig tinyFleet() {
    return ReplayConfig.builder()
        .fleet(FleetConfig.builder().workers(3).build())
        .maxConcurrentConversations(6)
        .build();
  }

  @Test
  void everyBuiltInStrategyIsFoundByNameAndReplaysATinyTrace() {
    Map<String, StrategyProvider> providers = StrategyReplay.providers();
    Trace trace = tinyTrace();
    ReplayConfig config = tinyFleet();
    Workload w =
        new Workload("tiny", "Tiny", "A tiny trace.", trace, config, Workload.Kind.MULTI_TURN);
    List<ReplayRow> rows = new ArrayList<>();
    ReplayResult baseline = null;
    for (String name : StrategyReplay.STRATEGIES) {
      ReplayResult r = Replay.run(trace, config, providers.get(name).create());
      assertThat(r.strategy()).isEqualTo(name);
      assertThat(r.requests()).isEqualTo(trace.requests());
      assertThat(r.strategyFaults()).isZero();
      baseline = baseline == null ? r : baseline;
      rows.add(new ReplayRow(r, baseline, true, 0));
    }

    String table = ReplayMarkdown.table(w, rows);
    Map<Workload, List<ReplayRow>> all = new LinkedHashMap<>();
    all.put(w, rows);
    assertThat(table).contains("`cache_aware`").contains("| `round_robin` |");
    assertThat(ReplayMarkdown.targets(all, StrategyReplay.JUDGED))
        .contains("`cache_aware`")
        .contains("`shortest_ttft`");
    assertThat(ReplayChart.svg(all, StrategyReplay.JUDGED))
        .startsWith("<svg")
        .contains("cache_aware")
        .endsWith("</svg>\n");
  }

  @Test
  void strategiesThatKeepTime_runOnTheReplaysVirtualClock() {
    Map<String, StrategyProvider> providers = StrategyReplay.providers();
    Trace trace = tinyTrace();
    ReplayConfig config = tinyFleet();
    List<String> timeKeeping =
        List.of("shortest_ttft", "peak_ewma", "least_token_work", "consistent_hash",
            "session_affinity", "priority_failover");
    for (String name : StrategyReplay.STRATEGIES) {
      java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
      ReplayResult r =
          Replay.run(
              trace,
              config,
              clock ->
                  StrategyReplay.onVirtualClock(name, providers.get(name))
                      .apply(
                          () -> {
                            reads.incrementAndGet();
                            return clock.getAsLong();
                          }));
      assertThat(r.strategy()).isEqualTo(name);
      assertThat(r.strategyFaults()).isZero();
      if (timeKeeping.contains(name)) {
        assertThat(reads.get()).as(name + " reads the virtual clock").isPositive();
      } else {
        assertThat(reads.get()).as(name).isZero();
      }
    }
  }
}
