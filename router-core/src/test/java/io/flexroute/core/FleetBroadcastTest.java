package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.Router;
import io.flexroute.RouterClosedException;
import io.flexroute.Worker;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlRejectedException;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.FleetOperationException;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.InitWeightsUpdateGroup;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.UpdateWeightsFromDistributed;
import io.flexroute.fleet.WeightVersionMismatchException;
import io.flexroute.fleet.WorkerFailure;
import io.flexroute.fleet.WorkerInfo;
import io.flexroute.fleet.WorkerSelector;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeTransport;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.transport.http.HttpTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broadcasts of the fleet control plane to fake SGLang workers over HTTP: per-worker results and
 * typed failures, bounded parallelism, halting, timeouts, cancellation, unsupported transports and
 * flavours, weight-update groups, server information and selectors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetBroadcastTest {

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
      router.close();
    }
    fakes.forEach(FakeWorker::close);
    transport.close();
  }

  /** Starts n fake workers at weight version "1" and a router over them (w0, w1, ...). */
  private Router start(int n) {
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FakeWorker fake = FakeWorker.builder().weightVersion("1").start();
      fakes.add(fake);
      workers.add(Worker.builder("w" + i, fake.baseUrl()).build());
    }
    router = Router.builder().workers(workers).transport(transport).build();
    return router;
  }

  private static UpdateWeightsFromDisk toVersion(String version) {
    return UpdateWeightsFromDisk.builder("/ckpt/step-" + version).weightVersion(version).build();
  }

  @Test
  void updateWithOneFailingWorker_reportsItAndLeavesTheOthersUpdated() {
    start(3);
    router.fleet().readWeightVersions(Broadcast.all()).orThrow();
    fakes.get(1).failNextWeightUpdates(1, "CUDA out of memory");

    FleetResult<ControlAck> result =
        router.fleet().updateWeightsFromDisk(toVersion("2"), Broadcast.all());

    assertThat(result.allSucceeded()).isFalse();
    assertThat(result.values()).containsOnlyKeys("w0", "w2");
    assertThat(result.values().values()).extracting(ControlAck::weightVersion)
        .containsOnly("2");
    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.workerId()).isEqualTo("w1");
      assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.REJECTED);
      assertThat(f.error()).isInstanceOf(ControlRejectedException.class)
          .hasMessageContaining("CUDA out of memory");
      assertThat(((ControlRejectedException) f.error()).statusCode()).isEqualTo(400);
    });
    assertThat(fakes).extracting(FakeWorker::weightVersion).containsExactly("2", "1", "2");
    assertThat(fakes.get(0).modelPath()).isEqualTo("/ckpt/step-2");
    // The router knows what each worker runs now, and all are back in rotation.
    assertThat(router.fleet().knownWeightVersions())
        .containsExactly(
            java.util.Map.entry("w0", "2"), java.util.Map.entry("w1", "1"),
            java.util.Map.entry("w2", "2"));
    assertThat(router.workers().views()).extracting(WorkerView::controlState)
        .containsOnly(ControlState.SERVING);
    assertThatThrownBy(result::orThrow)
        .isInstanceOf(FleetOperationException.class)
        .hasMessageContaining("failed on 1 of 3 workers")
        .hasCauseInstanceOf(ControlRejectedException.class);
    // The body carried what SGLang needs.
    assertThat(fakes.get(0).requests(UPDATE)).singleElement().satisfies(r -> {
      assertThat(r.json().path("model_path").asText()).isEqualTo("/ckpt/step-2");
      assertThat(r.json().path("weight_version").asText()).isEqualTo("2");
      assertThat(r.json().path("abort_all_requests").asBoolean(true)).isFalse();
    });
  }

  @Test
  void parallelism_boundsHowManyWorkersUpdateAtOnce() throws Exception {
    start(4);
    fakes.forEach(FakeWorker::holdWeightUpdates);
    CompletableFuture<FleetResult<ControlAck>> running =
        router.fleet().updateWeightsFromDiskAsync(
            toVersion("2"), Broadcast.builder().parallelism(2).build());

    Polling.await(() -> updatesArrived() == 2);
    // The first two (in the router's order) hold their calls; the others were not started.
    assertThat(fakes.get(0).requests(UPDATE)).hasSize(1);
    assertThat(fakes.get(1).requests(UPDATE)).hasSize(1);
    assertThat(updatesArrived()).isEqualTo(2);
    assertThat(view("w0").controlState()).isEqualTo(ControlState.UPDATING);
    assertThat(view("w2").controlState()).isEqualTo(ControlState.SERVING);

    fakes.get(0).releaseWeightUpdates();
    Polling.await(() -> updatesArrived() == 3);
    assertThat(fakes.get(2).requests(UPDATE)).hasSize(1);
    fakes.forEach(FakeWorker::releaseWeightUpdates);

    FleetResult<ControlAck> result = running.get(30, TimeUnit.SECONDS);
    assertThat(result.allSucceeded()).isTrue();
    assertThat(result.workerIds()).containsExactly("w0", "w1", "w2", "w3");
    assertThat(fakes).extracting(FakeWorker::weightVersion).containsOnly("2");
  }

  @Test
  void rollingUpdate_haltsAtTheFirstFailureAndSkipsTheRest() {
    start(3);
    fakes.get(0).failNextWeightUpdates(1, "checkpoint not found");

    FleetResult<ControlAck> result =
        router.fleet().updateWeightsFromDisk(
            toVersion("2"), Broadcast.rolling(WorkerSelector.all()));

    assertThat(result.successes()).isEmpty();
    assertThat(result.failures()).extracting(WorkerFailure::workerId, WorkerFailure::cause)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("w0", WorkerFailure.Cause.REJECTED),
            org.assertj.core.groups.Tuple.tuple("w1", WorkerFailure.Cause.SKIPPED),
            org.assertj.core.groups.Tuple.tuple("w2", WorkerFailure.Cause.SKIPPED));
    assertThat(fakes.get(1).requests(UPDATE)).isEmpty();
    assertThat(fakes).extracting(FakeWorker::weightVersion).containsOnly("1");
  }

  @Test
  void workerThatTakesTooLong_timesOutAndReturnsToRotation() {
    start(2);
    fakes.get(0).holdWeightUpdates();

    FleetResult<ControlAck> result =
        router.fleet().updateWeightsFromDisk(
            toVersion("2"), Broadcast.builder().timeout(Duration.ofMillis(300)).build());

    assertThat(result.failure("w0")).hasValueSatisfying(
        f -> assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.TIMEOUT));
    assertThat(result.value("w1")).isPresent();
    assertThat(view("w0").controlState()).isEqualTo(ControlState.SERVING);
    assertThat(view("w0").weightVersion()).isNull();
    assertThat(view("w1").weightVersion()).isEqualTo("2");
  }

  @Test
  void cancellingTheBroadcast_cancelsTheRunningCallsAndReturnsTheWorkersToRotation()
      throws Exception {
    start(2);
    fakes.forEach(FakeWorker::holdWeightUpdates);
    CompletableFuture<FleetResult<ControlAck>> running =
        router.fleet().updateWeightsFromDiskAsync(toVersion("2"), Broadcast.all());
    Polling.await(() -> updatesArrived() == 2);
    assertThat(router.workers().views()).extracting(WorkerView::controlState)
        .containsOnly(ControlState.UPDATING);

    assertThat(running.cancel(true)).isTrue();

    Polling.await(
        () -> router.workers().views().stream()
            .allMatch(w -> w.controlState() == ControlState.SERVING));
  }

  @Test
  void closingTheRouter_cancelsRunningBroadcastsAndRefusesNewOnes() throws Exception {
    start(1);
    fakes.get(0).holdWeightUpdates();
    CompletableFuture<FleetResult<ControlAck>> running =
        router.fleet().updateWeightsFromDiskAsync(toVersion("2"), Broadcast.all());
    fakes.get(0).awaitRequests(UPDATE, 1, WAIT);

    router.close();

    FleetResult<ControlAck> result = running.get(30, TimeUnit.SECONDS);
    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.CANCELLED);
      assertThat(f.error()).isInstanceOf(RouterClosedException.class);
    });
    assertThatThrownBy(() -> router.fleet().flushCache(Broadcast.all()))
        .isInstanceOf(RouterClosedException.class);
  }

  @Test
  void workersThatCannotDoAnOperation_areReportedAsUnsupported() {
    FakeWorker sglang = FakeWorker.builder().start();
    FakeWorker vllm = FakeWorker.builder().start();
    fakes.add(sglang);
    fakes.add(vllm);
    FakeTransport other = FakeTransport.create();
    router =
        Router.builder()
            .worker(Worker.builder("sglang", sglang.baseUrl()).build())
            .worker(Worker.builder("vllm", vllm.baseUrl()).flavor(ApiFlavor.VLLM).build())
            .worker(Worker.builder("grpc", "grpc://127.0.0.1:1").build())
            .transport(transport)
            .transport(other)
            .build();

    FleetResult<ControlAck> result = router.fleet().flushCache(Broadcast.all());

    assertThat(result.values()).containsOnlyKeys("sglang");
    assertThat(result.failures()).allSatisfy(f -> {
      assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.UNSUPPORTED);
      assertThat(f.error()).isInstanceOf(ControlUnsupportedException.class);
    });
    assertThat(result.failure("vllm").orElseThrow().error().getMessage())
        .contains("SGLang workers only");
    assertThat(result.failure("grpc").orElseThrow().error().getMessage())
        .contains("transport 'fake' has no such call");
    assertThat(vllm.requests("/flush_cache")).isEmpty();
  }

  @Test
  void manyWorkersThatRefuseAtOnce_areAllReported() {
    FakeTransport refusing = FakeTransport.create();
    io.flexroute.RouterBuilder b = Router.builder().transport(refusing);
    for (int i = 0; i < 3000; i++) {
      b.worker(Worker.builder("g" + i, "grpc://127.0.0.1:" + (1000 + i)).build());
    }
    router = b.build();

    FleetResult<ControlAck> result =
        router.fleet().flushCache(Broadcast.builder().parallelism(4).build());

    assertThat(result.failures()).hasSize(3000)
        .allSatisfy(f -> assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.UNSUPPORTED));
  }

  @Test
  void flushWhileRequestsRun_isRejectedByTheWorker() throws Exception {
    start(1);
    fakes.get(0).enqueue(Fault.stallAfterHeaders());
    CompletableFuture<?> stuck =
        router.generateAsync(io.flexroute.GenerateRequest.ofText("hold on"));
    fakes.get(0).awaitActiveRequests(1, WAIT);

    FleetResult<ControlAck> busy = router.fleet().flushCache(Broadcast.all());
    fakes.get(0).releaseStalls();
    stuck.handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    fakes.get(0).awaitIdle(WAIT);
    FleetResult<ControlAck> idle = router.fleet().flushCache(Broadcast.all());

    assertThat(busy.failures()).singleElement().satisfies(f -> {
      assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.REJECTED);
      assertThat(f.error()).hasMessageContaining("pending requests");
    });
    assertThat(idle.value("w0")).hasValueSatisfying(
        ack -> assertThat(ack.message()).startsWith("Cache flushed"));
  }

  @Test
  void workerReportingAnotherVersionAfterTheUpdate_isAMismatch() {
    start(1);
    fakes.get(0).enqueue(
        Fault.status(200, "{\"weight_version\":\"7\"}").forPath("/get_model_info"));

    FleetResult<ControlAck> result =
        router.fleet().updateWeightsFromDisk(toVersion("2"), Broadcast.all());

    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.VERSION_MISMATCH);
      WeightVersionMismatchException e = (WeightVersionMismatchException) f.error();
      assertThat(e.expected()).isEqualTo("2");
      assertThat(e.actual()).isEqualTo("7");
    });
    assertThat(view("w0").weightVersion()).isEqualTo("7");
    assertThat(view("w0").controlState()).isEqualTo(ControlState.SERVING);
  }

  @Test
  void distributedUpdate_needsTheGroupAndSetsTheVersion() {
    start(2);
    UpdateWeightsFromDistributed update =
        UpdateWeightsFromDistributed.builder()
            .tensor("lm_head.weight", "bfloat16", 8, 4)
            .tensor("model.norm.weight", "bfloat16", 4)
            .weightVersion("3")
            .build();

    FleetResult<ControlAck> beforeGroup =
        router.fleet().updateWeightsFromDistributed(update, Broadcast.all());
    assertThatThrownBy(
            () ->
                router.fleet().initWeightsUpdateGroup(
                    InitWeightsUpdateGroup.builder("10.0.0.1", 29500, 3).rankOffset("w0", 1)
                        .build(),
                    Broadcast.all()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no rank offset for workers [w1]");
    FleetResult<ControlAck> joined =
        router.fleet().initWeightsUpdateGroup(
            InitWeightsUpdateGroup.builder("10.0.0.1", 29500, 3)
                .rankOffset("w0", 1)
                .rankOffset("w1", 2)
                .build(),
            Broadcast.all());
    FleetResult<ControlAck> updated =
        router.fleet().updateWeightsFromDistributed(update, Broadcast.all());

    assertThat(beforeGroup.failures()).extracting(WorkerFailure::cause)
        .containsOnly(WorkerFailure.Cause.REJECTED);
    assertThat(joined.allSucceeded()).isTrue();
    assertThat(fakes).extracting(FakeWorker::weightUpdateGroup)
        .containsOnly("weight_update_group");
    assertThat(fakes.get(1).requests("/init_weights_update_group").get(0).json()
        .path("rank_offset").asInt()).isEqualTo(2);
    assertThat(updated.allSucceeded()).isTrue();
    assertThat(router.fleet().knownWeightVersions()).containsValues("3", "3");
    assertThat(fakes.get(0).requests("/update_weights_from_distributed").get(1).json()
        .path("shapes").toString()).isEqualTo("[[8,4],[4]]");
  }

  @Test
  void serverInfoAndVersionLabels_areReadAndRecorded() {
    start(2);

    FleetResult<WorkerInfo> info = router.fleet().serverInfo(Broadcast.all());
    FleetResult<ControlAck> labelled =
        router.fleet().updateWeightVersion("1b", false, Broadcast.to(WorkerSelector.ids("w1")));

    assertThat(info.value("w0")).hasValueSatisfying(i -> {
      assertThat(i.weightVersion()).isEqualTo("1");
      assertThat(i.modelPath()).isEqualTo("fake-model");
      assertThat(i.engineVersion()).isEqualTo("0.0.0-fake");
      assertThat(i.details()).containsEntry("max_running_requests", 256L)
          .doesNotContainKey("chat_template");
    });
    assertThat(labelled.value("w1")).hasValueSatisfying(
        ack -> assertThat(ack.weightVersion()).isEqualTo("1b"));
    assertThat(router.fleet().knownWeightVersions())
        .containsExactly(java.util.Map.entry("w0", "1"), java.util.Map.entry("w1", "1b"));
    assertThat(fakes.get(0).requests("/update_weight_version")).isEmpty();
  }

  @Test
  void selectors_chooseWorkersAndRefuseUnknownOnes() {
    FakeWorker a = FakeWorker.builder().start();
    FakeWorker b = FakeWorker.builder().start();
    fakes.add(a);
    fakes.add(b);
    router =
        Router.builder()
            .worker(Worker.builder("a", a.baseUrl()).model("m1").build())
            .worker(Worker.builder("b", b.baseUrl()).model("m2").build())
            .transport(transport)
            .build();

    assertThat(router.fleet().readWeightVersions(Broadcast.to(WorkerSelector.model("m2")))
        .workerIds()).containsExactly("b");
    assertThat(router.fleet().readWeightVersions(
            Broadcast.to(WorkerSelector.ids("b", "a"))).successes())
        .extracting(s -> s.workerId()).containsExactly("b", "a");
    assertThatThrownBy(
            () -> router.fleet().flushCache(Broadcast.to(WorkerSelector.ids("a", "zz"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[zz]");
    assertThatThrownBy(
            () -> router.fleet().flushCache(Broadcast.to(WorkerSelector.model("m3"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("selects none");
  }

  private WorkerView view(String id) {
    return router.workers().view(id).orElseThrow();
  }

  private int updatesArrived() {
    int n = 0;
    for (FakeWorker f : fakes) {
      n += f.requests(UPDATE).size();
    }
    return n;
  }
}
