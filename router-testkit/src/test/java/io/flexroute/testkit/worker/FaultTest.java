package io.flexroute.testkit.worker;

import static io.flexroute.testkit.worker.GenerateEndpointTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FaultTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String GENERATE =
      "{\"text\":\"fault\",\"sampling_params\":{\"max_new_tokens\":5}}";
  private static final String STREAM =
      "{\"text\":\"fault\",\"stream\":true,\"sampling_params\":{\"max_new_tokens\":5}}";
  private static final String CHAT_STREAM =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3,\"stream\":true}";

  private final FakeWorker worker = FakeWorker.builder().start();
  private final TestClient client = new TestClient(worker);

  @AfterEach
  void close() {
    worker.close();
  }

  @Test
  void status_answersWithTheGivenStatusBodyAndHeadersOnce() throws Exception {
    worker.enqueue(
        Fault.status(429, "{\"error\":{\"message\":\"slow down\"}}", Map.of("Retry-After", "2")));

    TestClient.Reply limited = client.post("/generate", GENERATE);
    TestClient.Reply next = client.post("/generate", GENERATE);

    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isEqualTo("2");
    assertThat(limited.header("Content-Type")).isEqualTo("application/json");
    assertThat(limited.json().at("/error/message").asText()).isEqualTo("slow down");
    assertThat(next.status()).isEqualTo(200);
    assertThat(worker.pendingFaults()).isZero();
  }

  @Test
  void faultWithoutPath_waitsForAGenerationRequest() throws Exception {
    worker.enqueue(Fault.status(503, "down"));

    assertThat(client.get("/health").status()).isEqualTo(200);
    assertThat(client.get("/v1/loads").status()).isEqualTo(200);
    assertThat(worker.pendingFaults()).isEqualTo(1);
    TestClient.Reply failed = client.post("/v1/chat/completions", "{\"messages\":[]}");

    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.body()).isEqualTo("down");
    assertThat(failed.header("Content-Type")).startsWith("text/plain");
  }

  @Test
  void forPath_matchesAnyRequestToThatPathIncludingUnservedOnes() throws Exception {
    worker.enqueue(Fault.status(503).forPath("/health"));
    worker.enqueue(Fault.status(200, "{\"status\":\"ok\"}").forPath("/start_profile"));

    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(200);
    assertThat(client.get("/health").status()).isEqualTo(503);
    assertThat(client.get("/health").status()).isEqualTo(200);
    assertThat(client.post("/start_profile", "{}").json().get("status").asText())
        .isEqualTo("ok");
    assertThat(client.post("/start_profile", "{}").status()).isEqualTo(404);
  }

  @Test
  void enqueue_appliesFaultsInOrderAndHonoursTimes() throws Exception {
    worker.enqueue(Fault.status(500), 2);
    worker.enqueue(Fault.status(502));

    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(500);
    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(500);
    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(502);
    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(200);
  }

  @Test
  void streamFaults_passOverPlainRequests() throws Exception {
    worker.enqueue(Fault.truncatedSse());

    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(200);
    assertThat(worker.pendingFaults()).isEqualTo(1);
    assertThat(client.stream("/generate", STREAM).done()).isFalse();
    assertThat(worker.pendingFaults()).isZero();
  }

  @Test
  void delay_holdsTheAnswer() throws Exception {
    worker.enqueue(Fault.delay(Duration.ofMillis(300)));

    long start = System.nanoTime();
    TestClient.Reply reply = client.post("/generate", GENERATE);

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void stallBeforeHeaders_sendsNothingUntilReleased() throws Exception {
    worker.enqueue(Fault.stallBeforeHeaders());
    CompletableFuture<TestClient.Reply> stalled = client.postAsync("/generate", GENERATE);
    assertThat(worker.awaitActiveRequests(1, WAIT)).isTrue();

    assertThat(stalled).isNotDone();
    worker.releaseStalls();

    assertThatThrownBy(stalled::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(worker.awaitIdle(WAIT)).isTrue();
    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(200);
  }

  @Test
  void stallAfterHeaders_sendsSseHeadersThenNothingUntilReleased() throws Exception {
    worker.enqueue(Fault.stallAfterHeaders());

    HttpResponse<InputStream> response = client.open("/generate", STREAM);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(worker.activeRequests()).isEqualTo(1);
    worker.releaseStalls();
    TestClient.Sse sse = TestClient.readAll(response);

    assertThat(sse.events()).isEmpty();
    assertThat(sse.failure()).isNotNull();
  }

  @Test
  void stallAfterHeaders_onAPlainRequestSendsJsonHeaders() throws Exception {
    worker.enqueue(Fault.stallAfterHeaders());

    HttpResponse<InputStream> response = client.open("/generate", GENERATE);
    worker.releaseStalls();

    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
  }

  @Test
  void stall_endsAtTheStallLimit() throws Exception {
    try (FakeWorker limited =
        FakeWorker.builder().stallLimit(Duration.ofMillis(200)).start()) {
      limited.enqueue(Fault.stallBeforeHeaders());

      assertThatThrownBy(() -> new TestClient(limited).post("/generate", GENERATE))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void malformedJson_sendsBrokenJsonInPlainAndStreamedAnswers() throws Exception {
    worker.enqueue(Fault.malformedJson(), 2);

    TestClient.Reply plain = client.post("/generate", GENERATE);
    TestClient.Sse sse = client.stream("/generate", STREAM);

    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.header("Content-Type")).isEqualTo("application/json");
    assertThatThrownBy(plain::json).isInstanceOf(RuntimeException.class);
    assertThat(sse.events()).hasSize(2);
    assertThat(sse.done()).isTrue();
    assertThatThrownBy(sse::json).isInstanceOf(RuntimeException.class);
  }

  @Test
  void closeConnection_dropsTheSocketWithoutAResponse() {
    worker.enqueue(Fault.closeConnection());

    assertThatThrownBy(() -> client.post("/generate", GENERATE)).isInstanceOf(IOException.class);
  }

  @Test
  void truncatedSse_endsCleanlyAfterOneEventWithoutDone() throws Exception {
    worker.enqueue(Fault.truncatedSse());

    TestClient.Sse sse = client.stream("/generate", STREAM);

    assertThat(sse.failure()).isNull();
    assertThat(sse.events()).hasSize(1);
    assertThat(sse.done()).isFalse();
    assertThat(sse.json().get(0).at("/meta_info/completion_tokens").asInt()).isEqualTo(1);
  }

  @Test
  void disconnectMidStream_breaksTheBodyAfterTheGivenEvents() throws Exception {
    worker.enqueue(Fault.disconnectMidStream(2));
    worker.enqueue(Fault.disconnectMidStream(50));

    TestClient.Sse early = client.streamOverSocket("/generate", STREAM);
    TestClient.Sse late = client.streamOverSocket("/generate", STREAM);

    assertThat(early.events()).hasSize(2);
    assertThat(early.failure()).isNotNull();
    assertThat(late.events()).hasSize(5);
    assertThat(late.done()).isFalse();
    assertThat(late.failure()).isNotNull();
    assertThat(worker.awaitIdle(WAIT)).isTrue();
  }

  @Test
  void sseError_sendsAnErrorEventThenDoneInEachProtocolsShape() throws Exception {
    worker.enqueue(Fault.sseError("boom"));
    worker.enqueue(Fault.sseError("late boom", 2));
    worker.enqueue(Fault.sseError("never reached", 99));

    TestClient.Sse generate = client.stream("/generate", STREAM);
    TestClient.Sse chat = client.stream("/v1/chat/completions", CHAT_STREAM);
    TestClient.Sse shortAnswer = client.stream("/generate", STREAM);

    assertThat(shortAnswer.events()).hasSize(5 + 2);
    assertThat(shortAnswer.json().get(5).at("/error/message").asText()).isEqualTo("never reached");
    assertThat(generate.events()).hasSize(2);
    assertThat(generate.done()).isTrue();
    assertThat(generate.json().get(0)).isEqualTo(json("{\"error\":{\"message\":\"boom\"}}"));
    List<JsonNode> chunks = chat.json();
    assertThat(chunks).hasSize(3);
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks.get(2))
        .isEqualTo(
            json(
                "{\"error\":{\"message\":\"late boom\",\"type\":\"BadRequestError\","
                    + "\"param\":null,\"code\":400}}"));
    assertThat(chat.done()).isTrue();
  }

  @Test
  void sseError_withACode_reportsThatStatusInTheErrorObject() throws Exception {
    worker.enqueue(Fault.sseError("The request queue is full.", 0, 503));
    TestClient.Sse chat = client.stream("/v1/chat/completions", CHAT_STREAM);
    assertThat(chat.json().get(0))
        .isEqualTo(
            json(
                "{\"error\":{\"message\":\"The request queue is full.\","
                    + "\"type\":\"ServiceUnavailableError\",\"param\":null,\"code\":503}}"));
    assertThat(chat.done()).isTrue();
    Fault fault = Fault.sseError("x", 1, 503);
    assertThat(fault.errorCode()).isEqualTo(503);
    assertThat(fault.statusCode()).isEqualTo(200);
    assertThat(Fault.sseError("x").errorCode()).isEqualTo(400);
    assertThat(Fault.status(502).errorCode()).isZero();
  }

  @Test
  void abortFinish_endsGenerationWithAnAbortFinishReason() throws Exception {
    worker.enqueue(Fault.abortFinish("The request queue is full."));
    worker.enqueue(Fault.abortFinish("cut", 3));
    worker.enqueue(Fault.abortFinish("chat cut", 1));

    JsonNode plain = client.post("/generate", GENERATE).json();
    TestClient.Sse stream = client.stream("/generate", STREAM);
    TestClient.Sse chat = client.stream("/v1/chat/completions", CHAT_STREAM);

    assertThat(plain.at("/meta_info/finish_reason"))
        .isEqualTo(
            json(
                "{\"type\":\"abort\",\"message\":\"The request queue is full.\","
                    + "\"status_code\":null,\"err_type\":null}"));
    assertThat(plain.at("/meta_info/completion_tokens").asInt()).isZero();
    List<JsonNode> chunks = stream.json();
    assertThat(stream.done()).isTrue();
    assertThat(chunks).hasSize(4);
    assertThat(chunks.get(3).at("/meta_info/completion_tokens").asInt()).isEqualTo(3);
    assertThat(chunks.get(3).at("/meta_info/finish_reason/message").asText()).isEqualTo("cut");
    List<JsonNode> chatChunks = chat.json();
    assertThat(chatChunks.get(chatChunks.size() - 1).at("/choices/0/finish_reason").asText())
        .isEqualTo("abort");
    assertThat(chat.done()).isTrue();
  }

  @Test
  void faultRate_failsASeededShareOfGenerationRequests() throws Exception {
    Fault unavailable = Fault.status(503);
    worker.setFaultRate(unavailable, 1.0 / 3, 42);
    int failures = 0;
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      client.get("/health");
      boolean failed = client.post("/generate", GENERATE).status() == 503;
      failures += failed ? 1 : 0;
      pattern.append(failed ? 'x' : '.');
    }

    StringBuilder repeat = new StringBuilder();
    try (FakeWorker other = FakeWorker.builder().start()) {
      other.setFaultPolicy(FaultPolicy.random(unavailable, 1.0 / 3, 42));
      TestClient otherClient = new TestClient(other);
      for (int i = 0; i < 60; i++) {
        repeat.append(otherClient.post("/generate", GENERATE).status() == 503 ? 'x' : '.');
      }
    }

    assertThat(failures).isBetween(10, 30);
    assertThat(repeat.toString()).isEqualTo(pattern.toString());
    worker.clearFaults();
    assertThat(client.post("/generate", GENERATE).status()).isEqualTo(200);
  }

  @Test
  void faultPolicy_canDecidePerRequestAndMayNotBreakTheWorker() throws Exception {
    worker.setFaultPolicy(
        request -> {
          if (request.body().contains("explode")) {
            throw new IllegalStateException("policy bug");
          }
          if (request.body().contains("stream-only")) {
            return Fault.truncatedSse();
          }
          return request.header("X-Fail") != null ? Fault.status(500) : null;
        });

    assertThat(client.post("/generate", "{\"text\":\"explode\"}").status()).isEqualTo(200);
    assertThat(client.post("/generate", "{\"text\":\"stream-only\"}").status()).isEqualTo(200);
    TestClient.Reply failed =
        client.send(client.postRequest("/generate", GENERATE).header("X-Fail", "1"));
    assertThat(failed.status()).isEqualTo(500);
  }

  @Test
  void factories_validateTheirArguments() {
    assertThatThrownBy(() -> Fault.status(99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.delay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.disconnectMidStream(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fault.sseError("x", 0, 200))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("code");
    assertThatThrownBy(() -> Fault.status(500).forPath("health"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FaultPolicy.random(Fault.status(500), 1.5, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Fault.status(503).forPath("/health").toString())
        .isEqualTo("Fault{STATUS 503 on /health}");
    assertThat(Fault.disconnectMidStream(3).after()).isEqualTo(3);
  }
}
