package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.body;
import static io.flexroute.transport.http.TestSupport.failure;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ApiFlavor;
import io.flexroute.RequestTimeoutException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.ControlRejectedException;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.InitWeightsUpdateGroup;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.UpdateWeightsFromDistributed;
import io.flexroute.fleet.WorkerInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SGLang's control endpoints as the transport speaks them: bodies, answers and failures. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ControlTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();

  @AfterEach
  void close() {
    transport.close();
  }

  private Worker sglang() {
    return Worker.builder("w1", server.url("/").toString()).apiKey("sk-1").build();
  }

  @Test
  void updateWeightsFromDisk_sendsTheModelledFieldsAndOptions() throws Exception {
    server.enqueue(json(
        "{\"success\":true,\"message\":\"Succeeded to update model weights.\","
            + "\"num_paused_requests\":2}"));
    UpdateWeightsFromDisk update =
        UpdateWeightsFromDisk.builder("/ckpt/step-8")
            .weightVersion("8")
            .loadFormat("auto")
            .abortAllRequests(true)
            .flushCache(false)
            .option("keep_pause", true)
            .build();

    ControlAck ack =
        await(transport.updateWeightsFromDisk(sglang(), update, FakeCallContext.of("c1")));

    assertThat(ack.message()).isEqualTo("Succeeded to update model weights.");
    assertThat(ack.pausedRequests()).isEqualTo(2);
    RecordedRequest recorded = take(server);
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/update_weights_from_disk");
    assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer sk-1");
    assertThat(body(recorded)).isEqualTo(TestSupport.tree(
        "{\"model_path\":\"/ckpt/step-8\",\"load_format\":\"auto\",\"abort_all_requests\":true,"
            + "\"weight_version\":\"8\",\"flush_cache\":false,\"keep_pause\":true}"));
  }

  @Test
  void successFalse_isARejectionWithTheWorkersMessage() {
    server.enqueue(json(400,
        "{\"success\":false,\"message\":\"Failed to update weights: disk full.\","
            + "\"num_paused_requests\":0}"));
    server.enqueue(json(200, "{\"success\":false,\"message\":\"group busy\"}"));

    Throwable status =
        failure(transport.updateWeightsFromDisk(
            sglang(), UpdateWeightsFromDisk.builder("/c").build(), FakeCallContext.of("c1")));
    Throwable body =
        failure(transport.initWeightsUpdateGroup(
            sglang(), InitWeightsUpdateGroup.builder("10.0.0.1", 29500, 2).rankOffset("w1", 1)
                .build(),
            1, FakeCallContext.of("c2")));

    assertThat(status).isInstanceOfSatisfying(ControlRejectedException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.workerMessage()).isEqualTo("Failed to update weights: disk full.");
      assertThat(e.operation()).isEqualTo(ControlOperation.UPDATE_WEIGHTS_FROM_DISK);
    });
    assertThat(body).isInstanceOfSatisfying(ControlRejectedException.class, e -> {
      assertThat(e.statusCode()).isEqualTo(200);
      assertThat(e.workerMessage()).isEqualTo("group busy");
    });
  }

  @Test
  void groupAndDistributedBodies_followSglang() throws Exception {
    server.enqueue(json("{\"success\":true,\"message\":\"ok\"}"));
    server.enqueue(json("{\"success\":true,\"message\":\"ok\"}"));

    await(transport.initWeightsUpdateGroup(
        sglang(),
        InitWeightsUpdateGroup.builder("10.0.0.1", 29500, 9).groupName("g").backend("gloo")
            .rankOffset("w1", 5).build(),
        5, FakeCallContext.of("c1")));
    await(transport.updateWeightsFromDistributed(
        sglang(),
        UpdateWeightsFromDistributed.builder().tensor("a", "bfloat16", 2, 3).tensor("b", "float32")
            .groupName("g").weightVersion("9").build(),
        FakeCallContext.of("c2")));

    assertThat(body(take(server))).isEqualTo(TestSupport.tree(
        "{\"master_address\":\"10.0.0.1\",\"master_port\":29500,\"rank_offset\":5,"
            + "\"world_size\":9,\"group_name\":\"g\",\"backend\":\"gloo\"}"));
    assertThat(body(take(server))).isEqualTo(TestSupport.tree(
        "{\"names\":[\"a\",\"b\"],\"dtypes\":[\"bfloat16\",\"float32\"],\"shapes\":[[2,3],[]],"
            + "\"group_name\":\"g\",\"abort_all_requests\":false,\"weight_version\":\"9\"}"));
  }

  @Test
  void pauseContinueFlushAndLabel_sendTheirBodiesAndReadTheirAnswers() throws Exception {
    server.enqueue(json("{\"message\":\"Generation paused successfully.\",\"status\":\"ok\"}"));
    server.enqueue(json("{\"message\":\"Generation continued successfully.\",\"status\":\"ok\"}"));
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/plain")
        .body("Cache flushed.\nPlease check backend logs for more details.\n").build());
    server.enqueue(json(
        "{\"success\":true,\"message\":\"Weight version updated to v2.\",\"new_version\":\"v2\"}"));

    ControlAck paused =
        await(transport.pauseGeneration(sglang(), PauseMode.IN_PLACE, FakeCallContext.of("a")));
    ControlAck continued = await(transport.continueGeneration(sglang(), FakeCallContext.of("b")));
    ControlAck flushed = await(transport.flushCache(sglang(), FakeCallContext.of("c")));
    ControlAck labelled =
        await(transport.updateWeightVersion(sglang(), "v2", true, FakeCallContext.of("d")));

    assertThat(paused.message()).isEqualTo("Generation paused successfully.");
    assertThat(continued.message()).isEqualTo("Generation continued successfully.");
    assertThat(flushed.message()).startsWith("Cache flushed.");
    assertThat(labelled.weightVersion()).isEqualTo("v2");
    RecordedRequest pause = take(server);
    assertThat(pause.getUrl().encodedPath()).isEqualTo("/pause_generation");
    assertThat(pause.getBody().utf8()).isEqualTo("{\"mode\":\"in_place\"}");
    RecordedRequest cont = take(server);
    assertThat(cont.getUrl().encodedPath()).isEqualTo("/continue_generation");
    assertThat(cont.getBody().utf8()).isEqualTo("{}");
    RecordedRequest flush = take(server);
    assertThat(flush.getMethod()).isEqualTo("POST");
    assertThat(flush.getUrl().encodedPath()).isEqualTo("/flush_cache");
    assertThat(body(take(server))).isEqualTo(
        TestSupport.tree("{\"new_version\":\"v2\",\"abort_all_requests\":true}"));
  }

  @Test
  void flushRefusedWhileBusy_isARejection() {
    server.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "text/plain")
        .body("Cache not flushed because there are pending requests. #queue-req: 0,"
            + " #running-req: 3\n").build());

    Throwable t = failure(transport.flushCache(sglang(), FakeCallContext.of("c")));

    assertThat(t).isInstanceOf(ControlRejectedException.class)
        .hasMessageContaining("pending requests");
  }

  @Test
  void readWeightVersion_fallsBackToTheNewerPathOn404() throws Exception {
    server.enqueue(json(404, "{\"detail\":\"Not Found\"}"));
    server.enqueue(json("{\"model_path\":\"m\",\"weight_version\":\"12\"}"));

    String version = await(transport.readWeightVersion(sglang(), FakeCallContext.of("c")));

    assertThat(version).isEqualTo("12");
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/get_model_info");
    RecordedRequest second = take(server);
    assertThat(second.getMethod()).isEqualTo("GET");
    assertThat(second.getUrl().encodedPath()).isEqualTo("/model_info");
  }

  @Test
  void readWeightVersion_withoutTheField_isUnsupported() {
    server.enqueue(json("{\"model_path\":\"m\"}"));

    assertThat(failure(transport.readWeightVersion(sglang(), FakeCallContext.of("c"))))
        .isInstanceOf(ControlUnsupportedException.class)
        .hasMessageContaining("no weight_version");
  }

  @Test
  void readWeightVersion_ofAnAnswerOfTheWrongShape_isMalformed() {
    server.enqueue(json("[]"));

    assertThat(failure(transport.readWeightVersion(sglang(), FakeCallContext.of("c"))))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE));
  }

  @Test
  void serverInfo_combinesModelAndServerInformation() {
    // The two reads run concurrently, so answer by path rather than in order.
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return switch (request.getUrl().encodedPath()) {
              case "/get_model_info" ->
                  json("{\"model_path\":\"Qwen/Qwen3-8B\",\"weight_version\":\"3\"}");
              case "/get_server_info" ->
                  json("{\"tp_size\":2,\"chat_template\":null,"
                      + "\"internal_states\":[{\"avg\":1.5}],\"version\":\"0.5.4\"}");
              default -> json(404, "{\"detail\":\"Not Found\"}");
            };
          }
        });

    WorkerInfo info = await(transport.serverInfo(sglang(), FakeCallContext.of("c")));

    assertThat(info.weightVersion()).isEqualTo("3");
    assertThat(info.modelPath()).isEqualTo("Qwen/Qwen3-8B");
    assertThat(info.engineVersion()).isEqualTo("0.5.4");
    assertThat(info.paused()).isNull();
    assertThat(info.details()).containsEntry("tp_size", 2L)
        .containsEntry("internal_states", List.of(Map.of("avg", 1.5)))
        .doesNotContainKey("chat_template");
  }

  @Test
  void missingEndpointAndServerErrors_keepTheirTypes() {
    server.enqueue(json(404, "{\"detail\":\"Not Found\"}"));
    server.enqueue(json(503, "{\"detail\":\"overloaded\"}"));

    Throwable missing = failure(transport.continueGeneration(sglang(), FakeCallContext.of("a")));
    Throwable down = failure(transport.continueGeneration(sglang(), FakeCallContext.of("b")));

    assertThat(missing).isInstanceOf(ControlUnsupportedException.class)
        .hasMessageContaining("HTTP 404");
    assertThat(down).isInstanceOfSatisfying(
        WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void aControlCallMayWaitLongerThanTheReadTimeout_withinItsOwnTimeout() throws Exception {
    // SGLang holds an update behind running requests: silence longer than the client's read
    // timeout is expected there, and only the broadcast's timeout bounds it.
    try (HttpTransport quick =
        HttpTransport.builder().readTimeout(Duration.ofMillis(200)).build()) {
      server.enqueue(json("{\"success\":true,\"message\":\"ok\"}").newBuilder()
          .headersDelay(600, TimeUnit.MILLISECONDS).build());

      ControlAck ack =
          await(quick.updateWeightsFromDisk(
              sglang(),
              UpdateWeightsFromDisk.builder("/ckpt/9").build(),
              new FakeCallContext("u", Duration.ofSeconds(10), Map.of())));

      assertThat(ack.message()).isEqualTo("ok");
    }
  }

  @Test
  void deadline_boundsAControlCall() {
    server.enqueue(new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS)
        .body("{}").build());

    FakeCallContext shortDeadline = new FakeCallContext("slow", Duration.ofMillis(200), Map.of());

    Throwable t = failure(transport.pauseGeneration(sglang(), PauseMode.ABORT, shortDeadline));

    assertThat(t).isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void otherFlavours_haveNoControlEndpoints() {
    Worker vllm =
        Worker.builder("v", server.url("/").toString()).flavor(ApiFlavor.VLLM).build();

    Throwable t = failure(transport.flushCache(vllm, FakeCallContext.of("c")));

    assertThat(t).isInstanceOf(ControlUnsupportedException.class)
        .hasMessageContaining("SGLang workers only");
    assertThat(server.getRequestCount()).isZero();
  }
}
