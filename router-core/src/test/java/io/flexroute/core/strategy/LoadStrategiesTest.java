package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.RequestOutcome;
import io.flexroute.Worker;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** least_token_work and peak_ewma: load signals from the router and from the workers. */
class LoadStrategiesTest {

  private static final RequestView REQUEST = FakeRequestView.text("hello");

  private final AtomicLong clock = new AtomicLong(5_000_000_000L);

  private static Map<String, Integer> pick(
      io.flexroute.spi.RoutingStrategy s, List<WorkerView> fleet, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(s.select(REQUEST, fleet).worker().id(), 1, Integer::sum);
    }
    return counts;
  }

  // ------------------------------------------------------------------ least_token_work

  @Test
  void leastTokenWork_picksTheFewestInFlightTokens() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    ((FakeWorkerView) fleet.get(0)).setInFlightTokens(5_000);
    ((FakeWorkerView) fleet.get(1)).setInFlightTokens(100);
    ((FakeWorkerView) fleet.get(2)).setInFlightTokens(3_000);
    assertThat(pick(new LeastTokenWorkStrategy(), fleet, 50)).containsOnlyKeys("w1");
  }

  @Test
  void leastTokenWork_countsReportedQueuesAndKvPressure() {
    List<WorkerView> fleet = ClosedLoop.fleet(3);
    LeastTokenWorkStrategy s =
        new LeastTokenWorkStrategy(LeastTokenWorkConfig.builder().ticker(clock::get).build());
    // w0: 4 waiting requests of 1,024 tokens at 2,000 tok/s = 2.048 s, + 0.15 * 0.1 / 0.9.
    ((FakeWorkerView) fleet.get(0)).setReportedLoad(new WorkerLoad(0, 4, 0.1, clock.get()));
    // w1: nothing queued, but its KV cache is 95% full: 0.15 * 0.95 / 0.05 = 2.85.
    ((FakeWorkerView) fleet.get(1)).setReportedLoad(new WorkerLoad(1, 0, 0.95, clock.get()));
    // w2: 3,000 tokens of its own in flight = 1.5 s.
    ((FakeWorkerView) fleet.get(2)).setInFlightTokens(3_000);
    assertThat(pick(s, fleet, 20)).containsOnlyKeys("w2");

    LeastTokenWorkStrategy scorer = s;
    assertThat(scorer.score(fleet.get(0), 2_000, clock.get())).isCloseTo(2.048 + 0.15 * 0.1 / 0.9, within(1e-9));
    assertThat(scorer.score(fleet.get(1), 2_000, clock.get())).isCloseTo(2.85, within(1e-9));
  }

  @Test
  void leastTokenWork_ignoresStaleReports() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    LeastTokenWorkStrategy s =
        new LeastTokenWorkStrategy(
            LeastTokenWorkConfig.builder()
                .ticker(clock::get)
                .maxReportAge(Duration.ofSeconds(1))
                .build());
    ((FakeWorkerView) fleet.get(0)).setReportedLoad(new WorkerLoad(0, 100, 0.9, clock.get()));
    ((FakeWorkerView) fleet.get(1)).setInFlightTokens(10);
    assertThat(pick(s, fleet, 10)).containsOnlyKeys("w1");
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(pick(s, fleet, 10)).containsOnlyKeys("w0");
  }

  @Test
  void leastTokenWork_dividesByEachWorkersThroughput() {
    List<WorkerView> fleet =
        List.of(
            new FakeWorkerView(Worker.builder("big", "http://big.invalid:1").weight(8).build())
                .setInFlightTokens(4_000),
            new FakeWorkerView(Worker.builder("small", "http://small.invalid:1").weight(1).build())
                .setInFlightTokens(1_000));
    LeastTokenWorkStrategy s =
        new LeastTokenWorkStrategy(
            LeastTokenWorkConfig.builder().throughput(w -> 1_000.0 * w.weight()).build());
    assertThat(pick(s, fleet, 10)).containsOnlyKeys("big");
  }

  @Test
  void leastTokenWork_samplesLargeFleetsAndStillFindsIdleWorkers() {
    List<WorkerView> fleet = ClosedLoop.fleet(1_000);
    for (WorkerView w : fleet) {
      ((FakeWorkerView) w).setInFlightTokens(10_000);
    }
    for (int i = 0; i < 1_000; i += 10) {
      ((FakeWorkerView) fleet.get(i)).setInFlightTokens(0);
    }
    Map<String, Integer> counts = pick(new LeastTokenWorkStrategy(), fleet, 1_000);
    // The best of 32 random candidates is an idle one with probability 1 - 0.9^32 = 97%.
    int idle = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (Integer.parseInt(e.getKey().substring(1)) % 10 == 0) {
        idle += e.getValue();
      }
    }
    assertThat(idle).isGreaterThan(900);
  }

  // ------------------------------------------------------------------ peak_ewma

  private PeakEwmaStrategy peakEwma(int choices) {
    return new PeakEwmaStrategy(
        PeakEwmaConfig.builder().ticker(clock::get).choices(choices).build());
  }

  private static RequestFeedback done(WorkerView w, Duration latency, RequestOutcome outcome) {
    return new RequestFeedback(REQUEST, w, outcome, latency, null, null);
  }

  @Test
  void peakEwma_avoidsASlowWorker() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    PeakEwmaStrategy s = peakEwma(2);
    s.onComplete(done(fleet.get(0), Duration.ofMillis(500), RequestOutcome.SUCCESS));
    s.onComplete(done(fleet.get(1), Duration.ofMillis(50), RequestOutcome.SUCCESS));
    assertThat(pick(s, fleet, 20)).containsOnlyKeys("w1");
    // Load counts too: ten requests on the fast worker make it costlier than the slow one.
    ((FakeWorkerView) fleet.get(1)).setInFlight(10);
    assertThat(pick(s, fleet, 20)).containsOnlyKeys("w0");
  }

  @Test
  void peakEwma_jumpsToAPeakAtOnceAndDecaysSlowly() {
    List<WorkerView> fleet = ClosedLoop.fleet(1);
    PeakEwmaStrategy s = peakEwma(2);
    s.onComplete(done(fleet.get(0), Duration.ofMillis(100), RequestOutcome.SUCCESS));
    s.onComplete(done(fleet.get(0), Duration.ofMillis(900), RequestOutcome.SUCCESS));
    assertThat(s.averageNanos("w0")).isEqualTo(Duration.ofMillis(900).toNanos());
    // A fast sample right after barely moves the average ...
    s.onComplete(done(fleet.get(0), Duration.ofMillis(100), RequestOutcome.SUCCESS));
    assertThat(s.averageNanos("w0")).isGreaterThan(Duration.ofMillis(890).toNanos());
    // ... and an idle worker's average decays over the decay time (10 s by default).
    clock.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(s.averageNanos("w0"))
        .isCloseTo(Duration.ofMillis(900).toNanos() / Math.E, within(2e6));
  }

  @Test
  void peakEwma_failuresDoNotFeedTheAverage() {
    List<WorkerView> fleet = ClosedLoop.fleet(1);
    PeakEwmaStrategy s = peakEwma(2);
    s.onComplete(done(fleet.get(0), Duration.ofMillis(1), RequestOutcome.WORKER_ERROR));
    s.onComplete(done(fleet.get(0), Duration.ofMillis(1), RequestOutcome.CANCELLED));
    assertThat(s.averageNanos("w0")).isZero();
  }

  @Test
  void peakEwma_aNewWorkerTakesOneRequestAtATime() {
    List<WorkerView> fleet = ClosedLoop.fleet(2);
    PeakEwmaStrategy s = peakEwma(2);
    s.onComplete(done(fleet.get(0), Duration.ofSeconds(1), RequestOutcome.SUCCESS));
    // w1 has no sample: idle it costs nothing, busy it costs more than any measured worker.
    assertThat(pick(s, fleet, 5)).containsOnlyKeys("w1");
    ((FakeWorkerView) fleet.get(1)).setInFlight(1);
    ((FakeWorkerView) fleet.get(0)).setInFlight(5);
    assertThat(pick(s, fleet, 5)).containsOnlyKeys("w0");
  }

  @Test
  void peakEwma_prefersTimeToFirstChunkForStreams() {
    List<WorkerView> fleet = ClosedLoop.fleet(1);
    PeakEwmaStrategy s = peakEwma(2);
    s.onComplete(
        new RequestFeedback(
            REQUEST, fleet.get(0), RequestOutcome.SUCCESS, Duration.ofSeconds(30),
            Duration.ofMillis(200), null));
    assertThat(s.averageNanos("w0")).isEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void peakEwma_looksAtOnlyTheConfiguredNumberOfCandidates() {
    List<WorkerView> fleet = ClosedLoop.fleet(1_000);
    PeakEwmaStrategy s = peakEwma(2);
    for (WorkerView w : fleet) {
      ((FakeWorkerView) w).setInFlight(1);
    }
    // Sampling two of 1,000 spreads the choices widely (a full scan would pick the same one).
    assertThat(pick(s, fleet, 500).size()).isGreaterThan(300);
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
