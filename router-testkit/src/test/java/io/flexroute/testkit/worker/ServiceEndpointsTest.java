package io.flexroute.testkit.worker;

import static io.flexroute.testkit.worker.GenerateEndpointTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceEndpointsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeWorker worker =
      FakeWorker.builder().model("m1").modelPath("/models/m1").weightVersion("v1").start();
  private final TestClient client = new TestClient(worker);

  @AfterEach
  void close() {
    worker.close();
  }

  @Test
  void health_answers200UntilMarkedUnhealthy() throws Exception {
    assertThat(client.get("/health").status()).isEqualTo(200);
    assertThat(client.get("/health").body()).isEmpty();
    assertThat(client.get("/health_generate").status()).isEqualTo(200);

    worker.setHealthy(false);

    assertThat(worker.isHealthy()).isFalse();
    assertThat(client.get("/health").status()).isEqualTo(503);
    assertThat(client.get("/health_generate").status()).isEqualTo(503);
    assertThat(client.post("/generate", "{\"text\":\"x\"}").status()).isEqualTo(200);
  }

  @Test
  void models_listsTheServedModel() throws Exception {
    JsonNode body = client.get("/v1/models").json();

    assertThat(body.get("object").asText()).isEqualTo("list");
    JsonNode model = body.at("/data/0");
    assertThat(model.get("id").asText()).isEqualTo("m1");
    assertThat(model.get("object").asText()).isEqualTo("model");
    assertThat(model.get("owned_by").asText()).isEqualTo("sglang");
    assertThat(model.get("root").asText()).isEqualTo("m1");
    assertThat(model.get("max_model_len").asInt()).isEqualTo(4096);
  }

  @Test
  void modelInfo_reportsPathAndWeightVersionOnBothPaths() throws Exception {
    JsonNode info = client.get("/model_info").json();

    assertThat(info.get("model_path").asText()).isEqualTo("/models/m1");
    assertThat(info.get("weight_version").asText()).isEqualTo("v1");
    assertThat(info.get("is_generation").asBoolean()).isTrue();
    assertThat(client.get("/get_model_info").json()).isEqualTo(info);
  }

  @Test
  void updateWeightsFromDisk_setsPathAndVersion() throws Exception {
    TestClient.Reply reply =
        client.post(
            "/update_weights_from_disk", "{\"model_path\":\"/models/m2\",\"weight_version\":\"v2\"}");
    TestClient.Reply missing = client.post("/update_weights_from_disk", "{}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().get("success").asBoolean()).isTrue();
    assertThat(reply.json().get("num_paused_requests").asInt()).isZero();
    assertThat(client.get("/model_info").json().get("model_path").asText()).isEqualTo("/models/m2");
    assertThat(worker.weightVersion()).isEqualTo("v2");
    assertThat(
            client.post("/generate", "{\"text\":\"x\"}").json().at("/meta_info/weight_version")
                .asText())
        .isEqualTo("v2");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("success").asBoolean()).isFalse();
  }

  @Test
  void updateWeightVersion_setsTheLabel() throws Exception {
    TestClient.Reply reply = client.post("/update_weight_version", "{\"new_version\":\"v9\"}");

    assertThat(reply.json())
        .isEqualTo(
            json(
                "{\"success\":true,\"message\":\"Weight version updated to v9.\","
                    + "\"new_version\":\"v9\"}"));
    assertThat(worker.weightVersion()).isEqualTo("v9");
    assertThat(client.post("/update_weight_version", "{}").status()).isEqualTo(400);
  }

  @Test
  void loads_reportRunningRequestsAndTheirTokens() throws Exception {
    try (FakeWorker slow = FakeWorker.builder().ttft(Duration.ofMinutes(1)).start()) {
      TestClient other = new TestClient(slow);
      CompletableFuture<TestClient.Reply> running =
          other.postAsync("/generate", "{\"text\":\"four token prompt here\",\"rid\":\"slow-1\"}");
      assertThat(slow.awaitActiveRequests(1, WAIT)).isTrue();
      // The request counts as running once it arrives; its prompt's tokens count once the worker
      // has tokenised it, a moment later.
      JsonNode loads = other.get("/v1/loads").json();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (loads.at("/loads/0/num_used_tokens").asInt() == 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
        loads = other.get("/v1/loads").json();
      }
      JsonNode legacy = other.get("/get_load").json();

      JsonNode load = loads.at("/loads/0");
      assertThat(loads.get("timestamp").asText()).endsWith("+00:00");
      assertThat(load.get("dp_rank").asInt()).isZero();
      assertThat(load.get("num_running_reqs").asInt()).isEqualTo(1);
      assertThat(load.get("num_waiting_reqs").asInt()).isZero();
      assertThat(load.get("num_used_tokens").asInt()).isEqualTo(4);
      assertThat(load.get("max_total_num_tokens").asInt()).isEqualTo(500_000);
      assertThat(load.get("token_usage").asDouble()).isEqualTo(4 / 500_000.0);
      assertThat(load.has("memory")).isTrue();
      assertThat(load.has("queues")).isTrue();
      assertThat(legacy)
          .isEqualTo(
              json("[{\"dp_rank\":0,\"num_reqs\":1,\"num_waiting_reqs\":0,\"num_tokens\":4}]"));

      other.post("/abort_request", "{\"rid\":\"slow-1\"}");
      assertThat(running.get().json().at("/meta_info/finish_reason/type").asText())
          .isEqualTo("abort");
      assertThat(other.get("/v1/loads").json().at("/loads/0/num_running_reqs").asInt()).isZero();
    }
  }

  @Test
  void loads_honourIncludeFormatAndAFixedTokenUsage() throws Exception {
    worker.setTokenUsage(0.75);

    JsonNode core = client.get("/v1/loads?include=core").json().at("/loads/0");
    TestClient.Reply invalid = client.get("/v1/loads?include=core,bogus");
    TestClient.Reply prometheus = client.get("/v1/loads?format=prometheus");
    JsonNode otherRank = client.get("/v1/loads?dp_rank=3").json();

    assertThat(core.get("token_usage").asDouble()).isEqualTo(0.75);
    assertThat(core.has("memory")).isFalse();
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(prometheus.body())
        .contains("sglang_num_running_reqs{dp_rank=\"0\"} 0.0")
        .contains("sglang_token_usage{dp_rank=\"0\"} 0.75");
    assertThat(otherRank.get("loads").isEmpty()).isTrue();

    worker.useEstimatedTokenUsage();
    assertThat(client.get("/v1/loads").json().at("/loads/0/token_usage").asDouble()).isZero();
  }

  @Test
  void tokenize_andDetokenize_roundTrip() throws Exception {
    JsonNode tokens = client.post("/tokenize", "{\"prompt\":\"Hello, world!\"}").json();
    JsonNode batch = client.post("/v1/tokenize", "{\"prompt\":[\"a b\",\"c\"]}").json();
    JsonNode chat =
        client.post("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").json();

    assertThat(tokens.get("count").asInt()).isEqualTo(4);
    assertThat(tokens.get("max_model_len").asInt()).isEqualTo(4096);
    assertThat(tokens.get("tokens"))
        .isEqualTo(TestClient.JSON.valueToTree(worker.tokenizer().encode("Hello, world!")));
    assertThat(batch.get("count")).isEqualTo(json("[2,1]"));
    assertThat(chat.get("count").asInt())
        .isEqualTo(worker.tokenizer().encode("<|user|>\nHi\n<|assistant|>\n").length);

    JsonNode text =
        client.post("/detokenize", "{\"tokens\":" + tokens.get("tokens") + "}").json();
    JsonNode texts =
        client.post("/v1/detokenize", "{\"tokens\":" + batch.get("tokens") + "}").json();
    assertThat(text.get("text").asText()).isEqualTo("Hello, world!");
    assertThat(texts.get("text")).isEqualTo(json("[\"a b\",\"c\"]"));
    assertThat(client.post("/tokenize", "{}").status()).isEqualTo(400);
    assertThat(client.post("/detokenize", "{\"tokens\":\"x\"}").status()).isEqualTo(400);
  }

  @Test
  void flushCache_refusesWhileRequestsRun() throws Exception {
    try (FakeWorker slow = FakeWorker.builder().ttft(Duration.ofMinutes(1)).start()) {
      TestClient other = new TestClient(slow);
      CompletableFuture<TestClient.Reply> running =
          other.postAsync("/generate", "{\"text\":\"x\",\"rid\":\"busy\"}");
      assertThat(slow.awaitActiveRequests(1, WAIT)).isTrue();

      TestClient.Reply refused = other.post("/flush_cache", "");
      other.post("/abort_request", "{\"rid\":\"busy\"}");
      running.get();
      TestClient.Reply flushed = other.send(other.request("/flush_cache").GET());

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.body()).contains("#running-req: 1");
      assertThat(flushed.status()).isEqualTo(200);
      assertThat(flushed.body()).startsWith("Cache flushed.");
    }
  }

  @Test
  void unknownPathsAndMethodsGetFastApiErrors() throws Exception {
    TestClient.Reply unknown = client.get("/v2/anything");
    TestClient.Reply wrongMethod = client.get("/generate");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json()).isEqualTo(json("{\"detail\":\"Not Found\"}"));
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.header("Allow")).contains("POST");
  }

  @Test
  void apiKey_isRequiredExceptOnHealth() throws Exception {
    try (FakeWorker secured = FakeWorker.builder().apiKey("sk-test").start()) {
      TestClient other = new TestClient(secured);

      TestClient.Reply denied = other.post("/generate", "{\"text\":\"x\"}");
      TestClient.Reply allowed =
          other.send(
              other.postRequest("/generate", "{\"text\":\"x\"}")
                  .header("Authorization", "Bearer sk-test"));

      assertThat(denied.status()).isEqualTo(401);
      assertThat(denied.json()).isEqualTo(json("{\"error\":\"Unauthorized\"}"));
      assertThat(allowed.status()).isEqualTo(200);
      assertThat(other.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void requests_areRecordedWithHeadersAndBody() throws Exception {
    client.send(
        client
            .postRequest("/v1/completions?trace=1", "{\"prompt\":\"x\",\"max_tokens\":1}")
            .header("Authorization", "Bearer abc")
            .header("X-Request-Id", "req-42"));
    client.get("/health");

    assertThat(worker.requestCount()).isEqualTo(2);
    assertThat(worker.requests()).extracting(RecordedRequest::path)
        .containsExactly("/v1/completions", "/health");
    RecordedRequest completion = worker.requests("/v1/completions").get(0);
    assertThat(completion.sequence()).isEqualTo(1);
    assertThat(completion.method()).isEqualTo("POST");
    assertThat(completion.query()).isEqualTo("trace=1");
    assertThat(completion.header("authorization")).isEqualTo("Bearer abc");
    assertThat(completion.header("X-REQUEST-ID")).isEqualTo("req-42");
    assertThat(completion.header("Missing")).isNull();
    assertThat(completion.body()).isEqualTo("{\"prompt\":\"x\",\"max_tokens\":1}");
    assertThat(completion.json().get("max_tokens").asInt()).isEqualTo(1);
    assertThat(completion.generation()).isTrue();
    assertThat(completion.streaming()).isFalse();
    RecordedRequest health = worker.requests("/health").get(0);
    assertThat(health.generation()).isFalse();
    assertThat(health.json().isMissingNode()).isTrue();
    assertThat(worker.awaitRequestCount(2, Duration.ZERO)).isTrue();
  }

  @Test
  void requestLog_keepsOnlyTheMostRecentRequests() throws Exception {
    try (FakeWorker small = FakeWorker.builder().requestLogCapacity(2).start()) {
      TestClient other = new TestClient(small);
      for (int i = 0; i < 3; i++) {
        other.get("/health?n=" + i);
      }

      assertThat(small.requestCount()).isEqualTo(3);
      assertThat(small.requests()).extracting(RecordedRequest::query)
          .containsExactly("n=1", "n=2");
    }
  }
}
