package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.ControlRejectedException;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.WorkerInfo;
import io.flexroute.transport.grpc.internal.proto.CommonProto;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The control plane over SGLang's scheduler protocol: what it has an RPC for, and what not. */
class ControlRpcTest {

  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final GrpcTransport transport = GrpcTransport.create();
  private final Worker worker = Worker.of("w1", scheduler.url());

  @AfterEach
  void tearDown() throws InterruptedException {
    transport.close();
    scheduler.close();
  }

  @Test
  void flushCache_sendsFlushCacheAndReadsTheAnswer() throws Exception {
    ControlAck ack = GenerateMappingTest.await(transport.flushCache(worker, TestContext.of("f")));

    assertThat(ack.message()).isEqualTo("Cache flushed.");
    assertThat(scheduler.flushRequests).singleElement()
        .satisfies(r -> assertThat(r.getTimeoutS()).isZero());
  }

  @Test
  void flushCache_refused_isARejection() {
    scheduler.flush =
        CommonProto.FlushCacheResponse.newBuilder().setSuccess(false)
            .setMessage("Cache not flushed because there are pending requests.").build();

    assertThatThrownBy(
            () -> GenerateMappingTest.await(transport.flushCache(worker, TestContext.of("f"))))
        .isInstanceOfSatisfying(ControlRejectedException.class, e -> {
          assertThat(e.operation()).isEqualTo(ControlOperation.FLUSH_CACHE);
          assertThat(e.statusCode()).isZero();
          assertThat(e.workerMessage()).contains("pending requests");
        });
  }

  @Test
  void readWeightVersion_comesFromGetModelInfo() throws Exception {
    scheduler.modelInfo =
        SglangSchedulerProto.GetModelInfoResponse.newBuilder().setWeightVersion("42").build();

    assertThat(GenerateMappingTest.await(
        transport.readWeightVersion(worker, TestContext.of("v")))).isEqualTo("42");
  }

  @Test
  void readWeightVersion_emptyIsUnsupportedAndStatusErrorsAreMapped() {
    assertThatThrownBy(
            () -> GenerateMappingTest.await(
                transport.readWeightVersion(worker, TestContext.of("v"))))
        .isInstanceOf(ControlUnsupportedException.class);
    scheduler.unaryStatus = Status.UNAVAILABLE.withDescription("starting");
    assertThatThrownBy(
            () -> GenerateMappingTest.await(
                transport.readWeightVersion(worker, TestContext.of("v"))))
        .isInstanceOfSatisfying(
            WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void serverInfo_combinesModelAndServerInfo() throws Exception {
    scheduler.modelInfo =
        SglangSchedulerProto.GetModelInfoResponse.newBuilder()
            .setModelPath("/models/qwen3").setWeightVersion("5").build();
    scheduler.serverInfo =
        SglangSchedulerProto.GetServerInfoResponse.newBuilder()
            .setServerArgs(Struct.newBuilder()
                .putFields("tp_size", Value.newBuilder().setNumberValue(2).build())
                .putFields("chat_template",
                    Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build()))
            .setIsPaused(true)
            .setActiveRequests(3)
            .setSglangVersion("0.5.6")
            .setServerType("grpc")
            .build();

    WorkerInfo info =
        GenerateMappingTest.await(transport.serverInfo(worker, TestContext.of("i")));

    assertThat(info.weightVersion()).isEqualTo("5");
    assertThat(info.modelPath()).isEqualTo("/models/qwen3");
    assertThat(info.paused()).isTrue();
    assertThat(info.activeRequests()).isEqualTo(3);
    assertThat(info.engineVersion()).isEqualTo("0.5.6");
    assertThat(info.details()).containsEntry("server_args", Map.of("tp_size", 2.0))
        .containsEntry("server_type", "grpc");
  }

  @Test
  void operationsWithoutAnRpc_areUnsupportedAndSendNothing() {
    assertThatThrownBy(
            () -> GenerateMappingTest.await(transport.updateWeightsFromDisk(
                worker, UpdateWeightsFromDisk.builder("/c").build(), TestContext.of("u"))))
        .isInstanceOfSatisfying(ControlUnsupportedException.class, e -> {
          assertThat(e.operation()).isEqualTo(ControlOperation.UPDATE_WEIGHTS_FROM_DISK);
          assertThat(e.getMessage()).contains("http:// URL");
        });
    assertThatThrownBy(
            () -> GenerateMappingTest.await(
                transport.pauseGeneration(worker, PauseMode.ABORT, TestContext.of("p"))))
        .isInstanceOf(ControlUnsupportedException.class);
    assertThatThrownBy(
            () -> GenerateMappingTest.await(
                transport.continueGeneration(worker, TestContext.of("c"))))
        .isInstanceOf(ControlUnsupportedException.class);
    assertThatThrownBy(
            () -> GenerateMappingTest.await(
                transport.updateWeightVersion(worker, "2", true, TestContext.of("l"))))
        .isInstanceOf(ControlUnsupportedException.class);
    assertThat(scheduler.generates).isEmpty();
  }
}
