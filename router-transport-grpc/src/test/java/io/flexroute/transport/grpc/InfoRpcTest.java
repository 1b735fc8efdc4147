package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionRequest;
import io.flexroute.RequestRejectedException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HealthCheck, GetLoads, GetModelInfo, GetServerInfo, Abort, and the refused OpenAI operations. */
class InfoRpcTest {

  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final GrpcTransport transport = GrpcTransport.create();
  private final Worker worker = Worker.of("w1", scheduler.url());

  @AfterEach
  void tearDown() throws InterruptedException {
    transport.close();
    scheduler.close();
  }

  @Test
  void checkHealth_healthy_completes() throws Exception {
    assertThat(GenerateMappingTest.await(transport.checkHealth(worker, TestContext.of("h"))))
        .isNull();
  }

  @Test
  void checkHealth_unhealthy_isA503WithTheServersMessage() {
    scheduler.health =
        SglangSchedulerProto.HealthCheckResponse.newBuilder()
            .setHealthy(false)
            .setMessage("scheduler not responding")
            .build();
    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.checkHealth(worker, TestContext.of("h"))))
        .isInstanceOfSatisfying(WorkerException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(503);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.getMessage()).contains("scheduler not responding");
        });
  }

  @Test
  void checkHealth_statusError_isMapped() {
    scheduler.unaryStatus = Status.UNAVAILABLE.withDescription("shutting down");
    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.checkHealth(worker, TestContext.of("h"))))
        .isInstanceOfSatisfying(WorkerException.class,
            e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void loads_usesTheAggregate() throws Exception {
    scheduler.loads =
        SglangSchedulerProto.GetLoadsResponse.newBuilder()
            .setDpRankCount(2)
            .addLoads(SglangSchedulerProto.SchedulerLoad.newBuilder().setNumRunningReqs(1))
            .setAggregate(
                SglangSchedulerProto.AggregateMetrics.newBuilder()
                    .setTotalRunningReqs(5)
                    .setTotalWaitingReqs(2)
                    .setAvgTokenUsage(0.25))
            .build();
    long before = System.nanoTime();

    WorkerLoad load = GenerateMappingTest.await(transport.loads(worker));

    assertThat(load.runningRequests()).isEqualTo(5);
    assertThat(load.waitingRequests()).isEqualTo(2);
    assertThat(load.kvCacheUsage()).isEqualTo(0.25);
    assertThat(load.reportedAtNanos()).isGreaterThanOrEqualTo(before);
    assertThat(scheduler.loadsRequests.get(0).getIncludeList()).containsExactly("core");
    assertThat(scheduler.loadsRequests.get(0).hasDpRank()).isFalse();
  }

  @Test
  void loads_withoutAggregate_sumsTheRanks() throws Exception {
    scheduler.loads =
        SglangSchedulerProto.GetLoadsResponse.newBuilder()
            .addLoads(SglangSchedulerProto.SchedulerLoad.newBuilder()
                .setNumRunningReqs(3).setNumWaitingReqs(1).setTokenUsage(0.2))
            .addLoads(SglangSchedulerProto.SchedulerLoad.newBuilder()
                .setNumRunningReqs(4).setNumWaitingReqs(0).setTokenUsage(0.6))
            .build();

    WorkerLoad load =
        GenerateMappingTest.await(transport.fetchLoad(worker, TestContext.of("l")));

    assertThat(load.runningRequests()).isEqualTo(7);
    assertThat(load.waitingRequests()).isEqualTo(1);
    assertThat(load.kvCacheUsage()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void loads_noRanks_usageUnknown() throws Exception {
    WorkerLoad load = GenerateMappingTest.await(transport.loads(worker));
    assertThat(load.kvCacheUsage()).isNaN();
  }

  @Test
  void loads_failure_isMapped() {
    scheduler.unaryStatus = Status.DEADLINE_EXCEEDED.withDescription("scheduler timeout");
    assertThatThrownBy(() -> GenerateMappingTest.await(transport.loads(worker)))
        .isInstanceOfSatisfying(WorkerException.class,
            e -> assertThat(e.statusCode()).isEqualTo(504));
  }

  @Test
  void modelInfo_mapsEveryField() throws Exception {
    scheduler.modelInfo =
        SglangSchedulerProto.GetModelInfoResponse.newBuilder()
            .setModelPath("/models/qwen3-8b")
            .setTokenizerPath("/models/qwen3-8b/tok")
            .setServedModelName("qwen3-8b")
            .setWeightVersion("v7")
            .setIsGeneration(true)
            .setMaxContextLength(32768)
            .setMaxReqInputLen(32000)
            .setVocabSize(151936)
            .addAllEosTokenIds(List.of(151645, 151643))
            .setPadTokenId(151643)
            .setBosTokenId(151644)
            .setModelType("qwen3")
            .addArchitectures("Qwen3ForCausalLM")
            .setSupportsVision(false)
            .setPreferredSamplingParams("{\"temperature\":0.7}")
            .setDefaultSamplingParamsJson("{\"top_k\":20}")
            .build();

    SchedulerModelInfo info = GenerateMappingTest.await(transport.modelInfo(worker));

    assertThat(info)
        .isEqualTo(new SchedulerModelInfo("/models/qwen3-8b", "/models/qwen3-8b/tok", "qwen3-8b",
            "v7", true, 32768, 32000, 151936, List.of(151645, 151643), 151643, 151644, "qwen3",
            List.of("Qwen3ForCausalLM"), false, "{\"temperature\":0.7}", "{\"top_k\":20}"));
  }

  @Test
  void serverInfo_mapsEveryFieldAndTheStructs() throws Exception {
    scheduler.serverInfo =
        SglangSchedulerProto.GetServerInfoResponse.newBuilder()
            .setServerArgs(
                Struct.newBuilder()
                    .putFields("tp_size", Value.newBuilder().setNumberValue(2).build())
                    .putFields("model_path", Value.newBuilder().setStringValue("/m").build())
                    .putFields("enable_metrics", Value.newBuilder().setBoolValue(true).build())
                    .putFields("lora", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
                    .putFields("ports", Value.newBuilder().setListValue(ListValue.newBuilder()
                        .addValues(Value.newBuilder().setNumberValue(1)))
                        .build()))
            .setSchedulerInfo(Struct.newBuilder().putFields("nested",
                Value.newBuilder().setStructValue(Struct.newBuilder().putFields("a",
                    Value.newBuilder().setStringValue("b").build())).build()))
            .setActiveRequests(4)
            .setIsPaused(true)
            .setLastReceiveTimestamp(1.5e9)
            .setUptimeSeconds(120.5)
            .setSglangVersion("0.5.5")
            .setServerType("grpc")
            .setMaxTotalNumTokens(500000)
            .build();

    SchedulerServerInfo info = GenerateMappingTest.await(transport.serverInfo(worker));

    assertThat(info.serverArgs())
        .containsEntry("tp_size", 2.0)
        .containsEntry("model_path", "/m")
        .containsEntry("enable_metrics", true)
        .containsEntry("lora", SchedulerServerInfo.NULL)
        .containsEntry("ports", List.of(1.0));
    assertThat(info.schedulerInfo()).containsEntry("nested", Map.of("a", "b"));
    assertThat(info.activeRequests()).isEqualTo(4);
    assertThat(info.paused()).isTrue();
    assertThat(info.lastReceiveTimestamp()).isEqualTo(1.5e9);
    assertThat(info.uptimeSeconds()).isEqualTo(120.5);
    assertThat(info.sglangVersion()).isEqualTo("0.5.5");
    assertThat(info.serverType()).isEqualTo("grpc");
    assertThat(info.maxTotalNumTokens()).isEqualTo(500000);
  }

  @Test
  void abort_sendsThePrefix() throws Exception {
    assertThat(GenerateMappingTest.await(transport.abort(worker, "batch-3"))).isTrue();
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("batch-3");
    GenerateMappingTest.await(transport.abort(worker, "rid-9", TestContext.of("x")));
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("rid-9");
    assertThat(scheduler.abortRequests)
        .extracting(SglangSchedulerProto.AbortRequest::getReason)
        .containsExactly("aborted by the caller", "aborted by the router");
    assertThatThrownBy(() -> transport.abort(worker, ""))
        .isInstanceOf(IllegalArgumentException.class);
    // Through the SPI too: an empty id would abort every request on the worker.
    assertThatThrownBy(
            () -> GenerateMappingTest.await(transport.abort(worker, "", TestContext.of("y"))))
        .hasStackTraceContaining("an Abort needs a request id");
  }

  @Test
  void chatAndCompletions_areRefusedNamingTheHttpTransport() {
    ChatRequest chat = ChatRequest.builder().message(ChatMessage.user("hi")).build();
    CompletionRequest completion = CompletionRequest.builder().prompt("hi").build();

    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.chat(worker, chat, TestContext.of("c"))))
        .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(RequestRejectedException.Reason.UNSUPPORTED);
          assertThat(e.getMessage()).contains("chat", "HTTP transport");
        });
    assertThatThrownBy(() -> transport.chatStream(worker, chat, TestContext.of("c")))
        .isInstanceOf(RequestRejectedException.class).hasMessageContaining("chat streaming");
    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.complete(worker, completion, TestContext.of("c"))))
        .isInstanceOf(RequestRejectedException.class).hasMessageContaining("text completion");
    assertThatThrownBy(() -> transport.completeStream(worker, completion, TestContext.of("c")))
        .isInstanceOf(RequestRejectedException.class).hasMessageContaining("HTTP transport");
  }
}
