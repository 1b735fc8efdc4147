package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.awaitBlockedInRead;
import static io.flexroute.transport.http.TestSupport.body;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.transport.http.TestSupport.StallingBody;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The blocking methods run the call on the caller's thread and behave as the asynchronous ones:
 * the same request on the wire, the same results and the same errors, the deadline and
 * cancellation honoured.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BlockingCallTest {

  private static final String GENERATE_OK =
      "{\"text\":\"a\",\"output_ids\":[1],\"meta_info\":{\"finish_reason\":{\"type\":\"stop\"},"
          + "\"prompt_tokens\":3,\"completion_tokens\":1}}";
  private static final String CHAT_OK =
      "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
          + "\"content\":\"hey\"},\"finish_reason\":\"stop\"}]}";
  private static final String COMPLETION_OK =
      "{\"id\":\"t\",\"choices\":[{\"index\":0,\"text\":\"done\",\"finish_reason\":\"stop\"}]}";

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();
  private final StallingBody stalled = new StallingBody("{\"text\":");

  @AfterEach
  void close() {
    stalled.release.countDown();
    transport.close();
  }

  private Worker sglang() {
    return Worker.of("w1", server.url("/").toString());
  }

  private Worker openAi() {
    return Worker.builder("w1", server.url("/").toString()).flavor(ApiFlavor.OPENAI).build();
  }

  @Test
  void generateBlocking_sendsWhatTheAsynchronousCallSends_andReadsTheSameResult()
      throws Exception {
    GenerateRequest request = GenerateRequest.builder().text("hi").requestId("r").build();
    server.enqueue(json(GENERATE_OK));
    server.enqueue(json(GENERATE_OK));

    GenerateResult async = await(transport.generate(sglang(), request, FakeCallContext.of("r")));
    GenerateResult blocking =
        transport.generateBlocking(sglang(), request, FakeCallContext.of("r"));

    RecordedRequest first = take(server);
    RecordedRequest second = take(server);
    assertThat(body(second)).isEqualTo(body(first));
    assertThat(second.getHeaders().get("X-Request-Id")).isEqualTo("r");
    assertThat(blocking).isEqualTo(async);
    assertThat(blocking.text()).isEqualTo("a");
  }

  @Test
  void chatAndCompleteBlocking_readTheirAnswers() {
    server.enqueue(json(CHAT_OK));
    server.enqueue(json(COMPLETION_OK));

    ChatCompletion chat =
        transport.chatBlocking(
            openAi(),
            ChatRequest.builder().model("m").message(ChatMessage.user("hi")).build(),
            FakeCallContext.of("c"));
    TextCompletion text =
        transport.completeBlocking(
            openAi(), CompletionRequest.builder().model("m").prompt("x").build(),
            FakeCallContext.of("t"));

    assertThat(chat.content()).isEqualTo("hey");
    assertThat(text.text()).isEqualTo("done");
  }

  @Test
  void aWorkerError_isThrownAsTheAsynchronousCallWouldFailWithIt() {
    server.enqueue(json(503, "{\"error\":{\"message\":\"overloaded\"}}"));

    assertThatThrownBy(
            () ->
                transport.generateBlocking(
                    sglang(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.getMessage()).contains("overloaded");
            });
  }

  @Test
  void aMalformedAnswer_isAWorkerError() {
    server.enqueue(json("{\"text\": [not json"));

    assertThatThrownBy(
            () ->
                transport.generateBlocking(
                    sglang(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")))
        .isInstanceOf(WorkerException.class);
  }

  @Test
  void theDeadline_endsABlockedRead() {
    server.enqueue(stalled.response());
    FakeCallContext context = new FakeCallContext("slow", Duration.ofMillis(300), Map.of());

    assertThatThrownBy(
            () -> transport.generateBlocking(sglang(), GenerateRequest.ofText("hi"), context))
        .isInstanceOf(RequestTimeoutException.class)
        .hasMessageContaining("slow");
  }

  @Test
  void cancellingTheContext_endsABlockedRead() throws Exception {
    server.enqueue(stalled.response());
    FakeCallContext context = FakeCallContext.of("r");
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                transport.generateBlocking(sglang(), GenerateRequest.ofText("hi"), context);
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    caller.start();
    stalled.awaitWritten();
    awaitBlockedInRead(caller);

    context.cancel();
    caller.join(10_000);

    assertThat(caller.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
  }
}
