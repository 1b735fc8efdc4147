package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.AdmissionPolicy;
import io.flexroute.FinishReason;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestRejectedException;
import io.flexroute.Router;
import io.flexroute.RouterBuilder;
import io.flexroute.SamplingParams;
import io.flexroute.Worker;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.WorkerSelector;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.RecordedRequest;
import io.flexroute.transport.http.HttpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routing by weight version against fake SGLang workers over HTTP: no request reaches a worker
 * while it updates, version requirements are met or refused with a typed reason (or wait for an
 * update), versions reported in answers are tracked, paused workers are out of rotation, and
 * version listeners hear every change.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionAwareRoutingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String UPDATE = "/update_weights_from_disk";

  private final List<FakeWorker> fakes = new ArrayList<>();
  private HttpTransport transport;
  private Router router;

  @BeforeEach
  void setUp() {
    transport = HttpTransport.create();
  }

  @AfterEach
  void tearDown() {
    if (router != null) {
      assertThat(router.workers().views()).allSatisfy(
          w -> assertThat(w.inFlightRequests()).isZero());
      router.close();
    }
    fakes.forEach(FakeWorker::close);
    transport.close();
  }

  private Router start(Consumer<RouterBuilder> settings, String... versions) {
    RouterBuilder b = Router.builder().transport(transport).strategy("round_robin");
    for (int i = 0; i < versions.length; i++) {
      FakeWorker fake = FakeWorker.builder().weightVersion(versions[i]).start();
      fakes.add(fake);
      b.worker(Worker.builder("w" + i, fake.baseUrl()).build());
    }
    settings.accept(b);
    router = b.build();
    return router;
  }

  private static GenerateRequest prompt(String text) {
    return GenerateRequest.builder()
        .text(text)
        .sampling(SamplingParams.builder().maxNewTokens(4).build())
        .build();
  }

  private static UpdateWeightsFromDisk toVersion(String version) {
    return UpdateWeightsFromDisk.builder("/ckpt/" + version).weightVersion(version).build();
  }

  @Test
  void rollingUpdate_neverRoutesARequestToTheWorkerBeingUpdated() throws Exception {
    start(b -> {}, "1", "1");
    fakes.get(0).holdWeightUpdates();
    CompletableFuture<FleetResult<ControlAck>> update =
        router.fleet().updateWeightsFromDiskAsync(
            toVersion("2"), Broadcast.rolling(WorkerSelector.ids("w0", "w1")));
    assertThat(fakes.get(0).awaitRequests(UPDATE, 1, WAIT)).isTrue();
    assertThat(view("w0").controlState()).isEqualTo(ControlState.UPDATING);

    List<String> servedDuring = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      servedDuring.add(router.generate(prompt("during " + i)).workerId());
    }
    // Rolling: the second worker waits for the first.
    assertThat(fakes.get(1).requests(UPDATE)).isEmpty();
    fakes.get(0).releaseWeightUpdates();
    FleetResult<ControlAck> result = update.get(30, TimeUnit.SECONDS);

    assertThat(result.allSucceeded()).isTrue();
    assertThat(servedDuring).containsOnly("w1");
    assertThat(fakes.get(0).requests("/generate")).isEmpty();
    // Whatever reached a worker arrived before its update call or after the update ended.
    for (FakeWorker fake : fakes) {
      assertNoGenerationWhileUpdating(fake);
    }
    List<String> servedAfter = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      servedAfter.add(router.generate(prompt("after " + i)).workerId());
    }
    assertThat(servedAfter).contains("w0", "w1");
    assertThat(router.fleet().knownWeightVersions()).containsValues("2", "2");
  }

  @Test
  void drain_waitsForTheWorkersRunningRequestsBeforeUpdating() throws Exception {
    start(b -> {}, "1");
    fakes.get(0).enqueue(Fault.stallAfterHeaders());
    CompletableFuture<GenerateResult> running = router.generateAsync(prompt("long"));
    assertThat(fakes.get(0).awaitActiveRequests(1, WAIT)).isTrue();

    CompletableFuture<FleetResult<ControlAck>> update =
        router.fleet().updateWeightsFromDiskAsync(
            toVersion("2"), Broadcast.builder().drainTimeout(Duration.ofSeconds(30)).build());
    Polling.await(() -> view("w0").controlState() == ControlState.UPDATING);
    assertThat(fakes.get(0).requests(UPDATE)).isEmpty();
    assertThat(update).isNotDone();

    fakes.get(0).releaseStalls();
    running.handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    FleetResult<ControlAck> result = update.get(30, TimeUnit.SECONDS);

    assertThat(result.allSucceeded()).isTrue();
    RecordedRequest generate = fakes.get(0).requests("/generate").get(0);
    RecordedRequest updateCall = fakes.get(0).requests(UPDATE).get(0);
    assertThat(updateCall.sequence()).isGreaterThan(generate.sequence());
  }

  @Test
  void minWeightVersion_routesOnlyToWorkersThatHaveIt() {
    start(b -> {}, "1", "2", "10");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();

    List<String> atLeast2 = new ArrayList<>();
    List<String> any = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      atLeast2.add(
          router.generate(prompt("x" + i).toBuilder().minWeightVersion("2").build()).workerId());
    }
    for (int i = 0; i < 6; i++) {
      any.add(router.generate(prompt("y" + i)).workerId());
    }

    assertThat(atLeast2).containsOnly("w1", "w2").contains("w1", "w2");
    assertThat(any).contains("w0", "w1", "w2");
    assertThat(router.generate(prompt("z").toBuilder().minWeightVersion("10").build()).workerId())
        .isEqualTo("w2");
    assertThatThrownBy(
            () -> router.generate(prompt("too new").toBuilder().minWeightVersion("11").build()))
        .isInstanceOfSatisfying(
            NoEligibleWorkerException.class,
            e -> assertThat(e.reason()).isEqualTo(NoEligibleWorkerException.Reason.WEIGHT_VERSION))
        .hasMessageContaining("weight version '11' or newer");
  }

  @Test
  void minWeightVersion_withAnOrderThatThrows_treatsTheWorkerAsBelowTheMinimum() {
    // A user's numeric order cannot parse SGLang's initial label: that worker must simply not
    // qualify, and no request may leak its router-wide permit (one here) through the exception.
    start(
        b ->
            b.weightVersionOrder(java.util.Comparator.comparingInt(Integer::parseInt))
                .admission(AdmissionPolicy.builder().maxConcurrentRequests(1).build()),
        "default",
        "3");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();

    for (int i = 0; i < 4; i++) {
      assertThat(
              router.generate(prompt("x" + i).toBuilder().minWeightVersion("2").build()).workerId())
          .isEqualTo("w1");
    }
    assertThat(router.generate(prompt("any")).workerId()).isIn("w0", "w1");
  }

  @Test
  void minWeightVersion_withUnknownVersions_isRefused() {
    start(b -> {}, "5");

    assertThatThrownBy(
            () -> router.generate(prompt("x").toBuilder().minWeightVersion("1").build()))
        .isInstanceOfSatisfying(
            NoEligibleWorkerException.class,
            e -> assertThat(e.reason()).isEqualTo(NoEligibleWorkerException.Reason.WEIGHT_VERSION))
        .hasMessageContaining("weight version unknown");
  }

  @Test
  void minWeightVersion_waitsInTheAdmissionQueueUntilAnUpdateLands() throws Exception {
    start(b -> b.admission(AdmissionPolicy.builder().queue(8, Duration.ofSeconds(30)).build()),
        "1");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();

    CompletableFuture<GenerateResult> waiting =
        router.generateAsync(prompt("next step").toBuilder().minWeightVersion("2").build());
    assertThat(waiting).isNotDone();
    assertThat(fakes.get(0).requests("/generate")).isEmpty();

    router.fleet().updateWeightsFromDisk(toVersion("2"), Broadcast.all()).orThrow();

    GenerateResult result = waiting.get(30, TimeUnit.SECONDS);
    assertThat(result.weightVersion()).isEqualTo("2");
  }

  @Test
  void versionsInAnswers_raiseTheKnownVersion_andLowerItWhenTheWorkerWentBack() {
    start(b -> {}, "4");

    router.generate(prompt("a"));
    assertThat(view("w0").weightVersion()).isEqualTo("4");
    fakes.get(0).setWeightVersion("5");
    router.generate(prompt("b"));
    assertThat(view("w0").weightVersion()).isEqualTo("5");
    // Sent when the router knew the worker at 5 and answered by older weights: the worker went
    // back (restarted on earlier weights). (An answer sent before an update landed, carrying the
    // version the router knew when it was sent, never lowers it: WeightVersionAnswersTest.)
    fakes.get(0).setWeightVersion("3");
    assertThat(router.generate(prompt("c")).weightVersion()).isEqualTo("3");
    assertThat(view("w0").weightVersion()).isEqualTo("3");
    assertThat(view("w0").health()).isEqualTo(io.flexroute.HealthState.HEALTHY);
  }

  @Test
  void anAnswerWithWeightsOlderThanTheMinimum_isNeverDelivered_andTheRequestMovesOn() {
    start(b -> {}, "2", "2");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();
    fakes.get(0).setWeightVersion("1"); // w0 restarts on its launch weights, unbeknown to the router

    List<GenerateResult> results = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      results.add(router.generate(prompt("b" + i).toBuilder().minWeightVersion("2").build()));
    }
    for (int i = 0; i < 4; i++) {
      results.add(
          router.generateAsync(prompt("a" + i).toBuilder().minWeightVersion("2").build()).join());
    }

    assertThat(results).allSatisfy(r -> {
      assertThat(r.workerId()).isEqualTo("w1");
      assertThat(r.weightVersion()).isEqualTo("2");
    });
    // One answer showed the router w0's real version; no request that needs 2 went there again.
    assertThat(fakes.get(0).requests("/generate")).hasSize(1);
    assertThat(view("w0").weightVersion()).isEqualTo("1");
    assertThat(view("w0").health()).isEqualTo(io.flexroute.HealthState.HEALTHY);
    assertThat(router.generate(prompt("any")).workerId()).isIn("w0", "w1");
  }

  @Test
  void aStreamWithWeightsOlderThanTheMinimum_deliversNothingFromThatWorker() {
    start(b -> {}, "2", "2");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();
    fakes.get(0).setWeightVersion("1");

    for (int i = 0; i < 3; i++) {
      List<io.flexroute.GenerateChunk> chunks = new ArrayList<>();
      try (var stream =
          router.generateStream(prompt("s" + i).toBuilder().minWeightVersion("2").build())) {
        stream.forEach(chunks::add);
      }
      assertThat(chunks).isNotEmpty().allSatisfy(
          c -> assertThat(c.weightVersion()).isEqualTo("2"));
    }
    assertThat(fakes.get(0).requests("/generate")).hasSize(1);
    assertThat(view("w0").weightVersion()).isEqualTo("1");
  }

  @Test
  void anAnswerWithWeightsOlderThanTheMinimum_andNoOtherWorker_failsWithATypedError() {
    start(b -> {}, "2");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();
    fakes.get(0).setWeightVersion("1");

    assertThatThrownBy(
            () -> router.generate(prompt("x").toBuilder().minWeightVersion("2").build()))
        .isInstanceOfSatisfying(
            io.flexroute.WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(io.flexroute.WorkerException.Kind.WEIGHT_VERSION);
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.isWorkerFault()).isFalse();
            })
        .hasMessageContaining("weight version '1', older than the request's minimum '2'");
    // The next request knows better and is refused before anything is sent.
    assertThatThrownBy(
            () -> router.generate(prompt("y").toBuilder().minWeightVersion("2").build()))
        .isInstanceOfSatisfying(
            NoEligibleWorkerException.class,
            e -> assertThat(e.reason()).isEqualTo(NoEligibleWorkerException.Reason.WEIGHT_VERSION));
    assertThat(fakes.get(0).requests("/generate")).hasSize(1);
  }

  @Test
  void aWorkerBackFromUnhealthy_hasItsVersionReadAgain() {
    start(
        b ->
            b.healthChecks(
                io.flexroute.HealthCheckPolicy.builder()
                    .interval(Duration.ofMillis(10))
                    .failureThreshold(1)
                    .successThreshold(1)
                    .build()),
        "2",
        "2");
    fakes.get(0).setWeightVersion("2");
    router.generate(prompt("learn w0")); // round robin: w0 first; w1's version stays unknown
    assertThat(router.fleet().knownWeightVersions()).containsOnlyKeys("w0");
    int w1Reads = fakes.get(1).requests("/get_model_info").size();

    for (FakeWorker fake : fakes) {
      fake.setHealthy(false);
      fake.setWeightVersion("1"); // both restart on their launch weights
    }
    Polling.await(() -> router.workers().views().stream()
        .allMatch(w -> w.health() == io.flexroute.HealthState.UNHEALTHY));
    fakes.forEach(f -> f.setHealthy(true));
    Polling.await(() -> router.workers().views().stream()
        .allMatch(w -> w.health() == io.flexroute.HealthState.HEALTHY));

    // Read again without any generation; a worker whose version was never known is not read.
    Polling.await(() -> "1".equals(view("w0").weightVersion()));
    assertThat(fakes.get(0).requests("/generate")).hasSize(1);
    assertThat(fakes.get(1).requests("/get_model_info")).hasSize(w1Reads);
    assertThat(view("w1").weightVersion()).isNull();
  }

  @Test
  void streamedAnswers_reportTheirVersionToo() {
    start(b -> {}, "7");

    try (var stream = router.generateStream(prompt("stream"))) {
      stream.forEach(chunk -> {});
    }

    assertThat(view("w0").weightVersion()).isEqualTo("7");
  }

  @Test
  void pausedWorkers_areOutOfRotationUntilContinued() throws Exception {
    start(b -> {}, "1", "1");
    fakes.get(0).enqueue(Fault.stallAfterHeaders());
    CompletableFuture<GenerateResult> running = router.generateAsync(prompt("in flight"));
    assertThat(fakes.get(0).awaitActiveRequests(1, WAIT)).isTrue();

    FleetResult<ControlAck> paused =
        router.fleet().pauseGeneration(PauseMode.ABORT, Broadcast.to(WorkerSelector.ids("w0")));
    assertThat(paused.allSucceeded()).isTrue();
    assertThat(fakes.get(0).isPaused()).isTrue();
    assertThat(view("w0").controlState()).isEqualTo(ControlState.PAUSED);
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      served.add(router.generate(prompt("p" + i)).workerId());
    }
    router.fleet().continueGeneration(Broadcast.to(WorkerSelector.ids("w0"))).orThrow();
    fakes.get(0).releaseStalls();
    running.handle((r, e) -> null).get(30, TimeUnit.SECONDS);

    assertThat(served).containsOnly("w1");
    assertThat(view("w0").controlState()).isEqualTo(ControlState.SERVING);
    assertThat(fakes.get(0).isPaused()).isFalse();
    assertThat(fakes.get(0).requests("/pause_generation").get(0).json().path("mode").asText())
        .isEqualTo("abort");
  }

  @Test
  void aHaltedRollingPause_putsTheWorkersItNeverCalledBackInRotation() {
    start(b -> {}, "1", "1");
    fakes.get(0).enqueue(Fault.status(500).forPath("/pause_generation"));

    FleetResult<ControlAck> paused =
        router.fleet().pauseGeneration(
            PauseMode.ABORT, Broadcast.rolling(WorkerSelector.ids("w0", "w1")));

    // w0's pause failed, so the rolling broadcast halted before calling w1.
    assertThat(paused.allSucceeded()).isFalse();
    assertThat(fakes.get(1).requests("/pause_generation")).isEmpty();
    assertThat(fakes.get(1).isPaused()).isFalse();
    assertThat(view("w0").controlState()).isEqualTo(ControlState.SERVING);
    assertThat(view("w1").controlState()).isEqualTo(ControlState.SERVING);
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      served.add(router.generate(prompt("p" + i)).workerId());
    }
    assertThat(served).contains("w0", "w1");
  }

  @Test
  void aSecondPauseThatFails_leavesAWorkerTheFirstPausedOutOfRotation() {
    start(b -> {}, "1", "1");
    router.fleet().pauseGeneration(PauseMode.ABORT, Broadcast.to(WorkerSelector.ids("w0")))
        .orThrow();
    fakes.get(0).enqueue(Fault.status(500).forPath("/pause_generation"));

    FleetResult<ControlAck> again =
        router.fleet().pauseGeneration(PauseMode.ABORT, Broadcast.all());

    assertThat(again.allSucceeded()).isFalse();
    // The worker still holds the first pause: it must stay out of rotation until continued.
    assertThat(fakes.get(0).isPaused()).isTrue();
    assertThat(view("w0").controlState()).isEqualTo(ControlState.PAUSED);
    assertThat(view("w1").controlState()).isEqualTo(ControlState.PAUSED);
    router.fleet().continueGeneration(Broadcast.all()).orThrow();
    assertThat(view("w0").controlState()).isEqualTo(ControlState.SERVING);
  }

  @Test
  void pauseAbort_abortsRunningGenerations() throws Exception {
    FakeWorker slow =
        FakeWorker.builder().interTokenDelay(Duration.ofMillis(50)).weightVersion("1").start();
    fakes.add(slow);
    router =
        Router.builder().transport(transport).worker(Worker.builder("w0", slow.baseUrl()).build())
            .build();
    CompletableFuture<GenerateResult> running =
        router.generateAsync(
            GenerateRequest.builder().text("long answer")
                .sampling(SamplingParams.builder().maxNewTokens(100).ignoreEos(true).build())
                .build());
    assertThat(slow.awaitActiveRequests(1, WAIT)).isTrue();

    router.fleet().pauseGeneration(PauseMode.ABORT, Broadcast.all()).orThrow();

    GenerateResult aborted = running.get(30, TimeUnit.SECONDS);
    assertThat(aborted.finishReason().type()).isEqualTo(FinishReason.Type.ABORT);
    router.fleet().continueGeneration(Broadcast.all()).orThrow();
  }

  @Test
  void wholeFleetPaused_requestsFailWithATypedReasonOrWaitForContinue() throws Exception {
    start(b -> {}, "1", "1");
    router.fleet().pauseGeneration(PauseMode.RETRACT, Broadcast.all()).orThrow();

    assertThatThrownBy(() -> router.generate(prompt("now")))
        .isInstanceOfSatisfying(
            NoEligibleWorkerException.class,
            e -> assertThat(e.reason())
                .isEqualTo(NoEligibleWorkerException.Reason.UPDATING_OR_PAUSED))
        .hasMessageContaining("paused");
    router.fleet().continueGeneration(Broadcast.all()).orThrow();
    assertThat(router.generate(prompt("later")).workerId()).isIn("w0", "w1");
  }

  @Test
  void waitingRequests_proceedWhenTheFleetContinues() throws Exception {
    start(b -> b.admission(AdmissionPolicy.builder().queue(8, Duration.ofSeconds(30)).build()),
        "1", "1");
    router.fleet().pauseGeneration(PauseMode.ABORT, Broadcast.all()).orThrow();

    CompletableFuture<GenerateResult> waiting = router.generateAsync(prompt("queued"));
    assertThat(waiting).isNotDone();
    router.fleet().continueGeneration(Broadcast.all()).orThrow();

    assertThat(waiting.get(30, TimeUnit.SECONDS).finishReason().type())
        .isNotEqualTo(FinishReason.Type.ABORT);
  }

  @Test
  void queueFull_stillReportsWhyNoWorkerQualified() {
    start(b -> b.admission(AdmissionPolicy.builder().queue(1, Duration.ofMillis(50)).build()),
        "1");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();

    assertThatThrownBy(
            () -> router.generate(prompt("x").toBuilder().minWeightVersion("2").build()))
        .isInstanceOfSatisfying(
            RequestRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RequestRejectedException.Reason.WAIT_TIMEOUT))
        .hasMessageContaining("weight version '2' or newer");
  }

  @Test
  void listeners_hearEveryVersionChange() throws Exception {
    start(b -> {}, "1", "1");
    List<String> events = new CopyOnWriteArrayList<>();
    AutoCloseable registration =
        router.fleet().addWeightVersionListener(
            (w, previous, current) -> events.add(w.id() + ":" + previous + "->" + current));

    router.fleet().readWeightVersions(Broadcast.all()).orThrow();
    router.fleet().updateWeightsFromDisk(toVersion("2"), Broadcast.all()).orThrow();
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();
    registration.close();
    router.fleet().updateWeightsFromDisk(toVersion("3"), Broadcast.all()).orThrow();

    assertThat(events).containsExactlyInAnyOrder(
        "w0:null->1", "w1:null->1", "w0:1->2", "w1:1->2");
  }

  @Test
  void customVersionOrder_isUsedForRequirements() {
    start(b -> b.weightVersionOrder(java.util.Comparator.reverseOrder()), "a", "b");
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();

    assertThat(router.generate(prompt("x").toBuilder().minWeightVersion("a").build()).workerId())
        .isEqualTo("w0");
  }

  private WorkerView view(String id) {
    return router.workers().view(id).orElseThrow();
  }

  /**
   * Checks, from the worker's own log, that no generation arrived between an update call's arrival
   * and the next request after it (the update answer and the version read-back come first).
   */
  private static void assertNoGenerationWhileUpdating(FakeWorker fake) {
    List<RecordedRequest> log = fake.requests();
    for (int i = 0; i < log.size(); i++) {
      if (!log.get(i).path().equals(UPDATE)) {
        continue;
      }
      // The next request on this worker is the router reading the version back.
      assertThat(i + 1).isLessThan(log.size());
      assertThat(log.get(i + 1).path()).isEqualTo("/get_model_info");
    }
  }
}
