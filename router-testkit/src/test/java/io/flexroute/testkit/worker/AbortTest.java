package io.flexroute.testkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AbortTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeWorker worker =
      FakeWorker.builder().interTokenDelay(Duration.ofMillis(20)).start();
  private final TestClient client = new TestClient(worker);

  @AfterEach
  void close() {
    worker.close();
  }

  @Test
  void abort_endsAStreamWithAnAbortChunkThenDone() throws Exception {
    HttpResponse<InputStream> response =
        client.open(
            "/generate",
            "{\"text\":\"long\",\"rid\":\"req-abc-123\",\"stream\":true,"
                + "\"sampling_params\":{\"max_new_tokens\":500,\"ignore_eos\":true}}");
    try (TestClient.EventReader reader = new TestClient.EventReader(response.body())) {
      assertThat(reader.next()).contains("\"completion_tokens\":1");

      TestClient.Reply aborted = client.post("/abort_request", "{\"rid\":\"req-abc\"}");

      assertThat(aborted.status()).isEqualTo(200);
      assertThat(aborted.body()).isEmpty();
      String last = null;
      String event;
      while ((event = reader.next()) != null && !event.equals("[DONE]")) {
        last = event;
      }
      assertThat(event).isEqualTo("[DONE]");
      JsonNode finish = TestClient.parse(last).at("/meta_info/finish_reason");
      assertThat(finish.get("type").asText()).isEqualTo("abort");
      assertThat(finish.get("message").asText()).contains("abort");
      assertThat(TestClient.parse(last).at("/meta_info/completion_tokens").asInt())
          .isLessThan(500);
    }
    assertThat(worker.abortedRequestIds()).containsExactly("req-abc");
  }

  @Test
  void abort_answersAPlainRequestWith200AndAnAbortFinishReason() throws Exception {
    try (FakeWorker slow = FakeWorker.builder().ttft(Duration.ofMinutes(1)).start()) {
      TestClient other = new TestClient(slow);
      CompletableFuture<TestClient.Reply> running =
          other.postAsync("/generate", "{\"text\":\"x\",\"rid\":\"plain-1\"}");
      assertThat(slow.awaitActiveRequests(1, WAIT)).isTrue();

      other.post("/abort_request", "{\"rid\":\"plain-1\"}");
      TestClient.Reply reply = running.get();

      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().at("/meta_info/finish_reason/type").asText()).isEqualTo("abort");
      assertThat(reply.json().at("/meta_info/completion_tokens").asInt()).isZero();
      assertThat(slow.activeRequests()).isZero();
    }
  }

  @Test
  void abort_endsAnOpenAiStreamWithFinishReasonAbort() throws Exception {
    HttpResponse<InputStream> response =
        client.open(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"rid\":\"chat-9\","
                + "\"max_tokens\":500,\"ignore_eos\":true,\"stream\":true}");
    try (TestClient.EventReader reader = new TestClient.EventReader(response.body())) {
      assertThat(reader.next()).contains("\"role\":\"assistant\"");
      client.post("/abort_request", "{\"rid\":\"chat-9\"}");

      String last = null;
      String event;
      while ((event = reader.next()) != null && !event.equals("[DONE]")) {
        last = event;
      }

      assertThat(event).isEqualTo("[DONE]");
      assertThat(TestClient.parse(last).at("/choices/0/finish_reason").asText())
          .isEqualTo("abort");
    }
  }

  @Test
  void abortAll_stopsEveryRunningRequestAndUnknownRidsAreIgnored() throws Exception {
    try (FakeWorker slow = FakeWorker.builder().ttft(Duration.ofMinutes(1)).start()) {
      TestClient other = new TestClient(slow);
      CompletableFuture<TestClient.Reply> first =
          other.postAsync("/generate", "{\"text\":\"a\",\"rid\":\"one\"}");
      CompletableFuture<TestClient.Reply> second =
          other.postAsync("/v1/completions", "{\"prompt\":\"b\"}");
      assertThat(slow.awaitActiveRequests(2, WAIT)).isTrue();

      assertThat(other.post("/abort_request", "{\"rid\":\"unknown\"}").status()).isEqualTo(200);
      assertThat(other.post("/abort_request", "{\"rid\":\"\"}").status()).isEqualTo(200);
      assertThat(slow.activeRequests()).isEqualTo(2);
      other.post("/abort_request", "{\"abort_all\":true}");

      assertThat(first.get().json().at("/meta_info/finish_reason/type").asText())
          .isEqualTo("abort");
      assertThat(second.get().json().at("/choices/0/finish_reason").asText()).isEqualTo("abort");
      assertThat(slow.abortedRequestIds()).containsExactly("unknown");
    }
  }

  @Test
  void abort_arrivingAfterSomeTokensKeepsThemInTheAnswer() throws Exception {
    HttpResponse<InputStream> response =
        client.open(
            "/generate",
            "{\"text\":\"partial\",\"rid\":\"p-1\",\"stream\":true,"
                + "\"sampling_params\":{\"max_new_tokens\":500,\"ignore_eos\":true}}");
    List<JsonNode> chunks;
    try (TestClient.EventReader reader = new TestClient.EventReader(response.body())) {
      reader.next();
      reader.next();
      client.post("/abort_request", "{\"rid\":\"p-1\"}");
      StringBuilder rest = new StringBuilder("[");
      for (String event = reader.next(); !"[DONE]".equals(event); event = reader.next()) {
        rest.append(rest.length() > 1 ? "," : "").append(event);
      }
      chunks = TestClient.JSON.readerForListOf(JsonNode.class).readValue(rest.append("]").toString());
    }

    JsonNode last = chunks.get(chunks.size() - 1);
    int produced = last.at("/meta_info/completion_tokens").asInt();
    assertThat(produced).isGreaterThanOrEqualTo(2);
    assertThat(last.get("output_ids")).hasSize(produced);
  }
}
