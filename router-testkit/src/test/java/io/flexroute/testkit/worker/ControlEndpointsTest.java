package io.flexroute.testkit.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fake worker's RL control endpoints and the test controls behind them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ControlEndpointsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeWorker worker =
      FakeWorker.builder().weightVersion("1").interTokenDelay(Duration.ofMillis(20)).start();
  private final TestClient client = new TestClient(worker);

  @AfterEach
  void close() {
    worker.close();
  }

  @Test
  void failedUpdate_answersLikeSglangAndChangesNothing() throws Exception {
    worker.failNextWeightUpdates(1, "disk full");

    TestClient.Reply failed =
        client.post("/update_weights_from_disk",
            "{\"model_path\":\"/m2\",\"weight_version\":\"2\"}");
    TestClient.Reply next =
        client.post("/update_weights_from_disk",
            "{\"model_path\":\"/m2\",\"weight_version\":\"2\"}");

    assertThat(failed.status()).isEqualTo(400);
    assertThat(failed.json().get("success").asBoolean()).isFalse();
    assertThat(failed.json().get("message").asText()).contains("disk full");
    assertThat(next.status()).isEqualTo(200);
    assertThat(worker.weightVersion()).isEqualTo("2");
    assertThat(worker.modelPath()).isEqualTo("/m2");
    assertThatThrownBy(() -> worker.failNextWeightUpdates(0, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void heldUpdate_answersOnlyOnceReleased() throws Exception {
    worker.holdWeightUpdates();
    CompletableFuture<TestClient.Reply> update =
        client.postAsync("/update_weights_from_disk",
            "{\"model_path\":\"/m2\",\"weight_version\":\"2\"}");
    assertThat(worker.awaitRequests("/update_weights_from_disk", 1, WAIT)).isTrue();
    assertThat(update).isNotDone();
    assertThat(worker.weightVersion()).isEqualTo("1");

    worker.releaseWeightUpdates();

    assertThat(update.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(worker.weightVersion()).isEqualTo("2");
  }

  @Test
  void updateWithAbortAll_abortsRunningGenerations() throws Exception {
    CompletableFuture<TestClient.Reply> running =
        client.postAsync("/generate",
            "{\"text\":\"x\",\"sampling_params\":{\"max_new_tokens\":200,\"ignore_eos\":true}}");
    assertThat(worker.awaitActiveRequests(1, WAIT)).isTrue();

    client.post("/update_weights_from_disk",
        "{\"model_path\":\"/m2\",\"abort_all_requests\":true}");

    assertThat(running.get(10, TimeUnit.SECONDS).json().at("/meta_info/finish_reason/type")
        .asText()).isEqualTo("abort");
  }

  @Test
  void pauseAbort_abortsRunningAndHoldsNewGenerationsUntilContinued() throws Exception {
    CompletableFuture<TestClient.Reply> running =
        client.postAsync("/generate",
            "{\"text\":\"x\",\"sampling_params\":{\"max_new_tokens\":200,\"ignore_eos\":true}}");
    assertThat(worker.awaitActiveRequests(1, WAIT)).isTrue();

    TestClient.Reply paused = client.post("/pause_generation", "{}");
    assertThat(paused.json().get("status").asText()).isEqualTo("ok");
    assertThat(worker.isPaused()).isTrue();
    assertThat(running.get(10, TimeUnit.SECONDS).json().at("/meta_info/finish_reason/type")
        .asText()).isEqualTo("abort");
    CompletableFuture<TestClient.Reply> waiting =
        client.postAsync("/generate", "{\"text\":\"y\",\"sampling_params\":{\"max_new_tokens\":2}}");
    assertThat(worker.awaitActiveRequests(1, WAIT)).isTrue();
    assertThat(waiting).isNotDone();

    client.post("/continue_generation", "{}");

    assertThat(worker.isPaused()).isFalse();
    assertThat(waiting.get(10, TimeUnit.SECONDS).json().at("/meta_info/finish_reason/type")
        .asText()).isNotEqualTo("abort");
  }

  @Test
  void pauseRetract_holdsRunningGenerationsBetweenTokens() throws Exception {
    // 100 tokens at the fake's inter-token delay: running for long enough that the pause below
    // comes before its end, even on a busy machine.
    CompletableFuture<TestClient.Reply> running =
        client.postAsync("/generate",
            "{\"text\":\"x\",\"sampling_params\":{\"max_new_tokens\":100,\"ignore_eos\":true}}");
    assertThat(worker.awaitActiveRequests(1, WAIT)).isTrue();

    client.post("/pause_generation", "{\"mode\":\"retract\"}");
    assertThat(running).isNotDone();
    client.post("/continue_generation", "{}");

    assertThat(running.get(10, TimeUnit.SECONDS).json().at("/meta_info/completion_tokens")
        .asInt()).isEqualTo(100);
    assertThat(client.post("/pause_generation", "{\"mode\":\"sideways\"}").status())
        .isEqualTo(400);
  }

  @Test
  void groupAndDistributedUpdate_needEachOther() throws Exception {
    String update =
        "{\"names\":[\"w\"],\"dtypes\":[\"bfloat16\"],\"shapes\":[[2]],\"weight_version\":\"3\"}";

    TestClient.Reply early = client.post("/update_weights_from_distributed", update);
    TestClient.Reply badGroup =
        client.post("/init_weights_update_group", "{\"master_address\":\"h\"}");
    TestClient.Reply joined =
        client.post("/init_weights_update_group",
            "{\"master_address\":\"h\",\"master_port\":1,\"rank_offset\":1,\"world_size\":2}");
    TestClient.Reply updated = client.post("/update_weights_from_distributed", update);

    assertThat(early.status()).isEqualTo(400);
    assertThat(early.json().get("message").asText()).contains("not initialized");
    assertThat(badGroup.status()).isEqualTo(400);
    assertThat(joined.json().get("success").asBoolean()).isTrue();
    assertThat(worker.weightUpdateGroup()).isEqualTo("weight_update_group");
    assertThat(updated.status()).isEqualTo(200);
    assertThat(worker.weightVersion()).isEqualTo("3");
  }

  @Test
  void serverInfoAndWeightVersion_answerOnTheirPaths() throws Exception {
    assertThat(client.get("/get_server_info").json().get("version").asText())
        .isEqualTo("0.0.0-fake");
    assertThat(client.get("/server_info").json().get("max_running_requests").asInt())
        .isEqualTo(256);
    assertThat(client.get("/get_weight_version").json().get("weight_version").asText())
        .isEqualTo("1");
  }
}
