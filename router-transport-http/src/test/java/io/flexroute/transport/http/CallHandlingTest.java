package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.awaitBlockedInRead;
import static io.flexroute.transport.http.TestSupport.done;
import static io.flexroute.transport.http.TestSupport.events;
import static io.flexroute.transport.http.TestSupport.failure;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.sse;
import static io.flexroute.transport.http.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.ChunkSource;
import io.flexroute.transport.http.TestSupport.StallingBody;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CallHandlingTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();
  private final List<StallingBody> stalls = new ArrayList<>();
  private final List<CountDownLatch> releases = new ArrayList<>();

  @AfterEach
  void releaseStallsAndClose() {
    stalls.forEach(s -> s.release.countDown());
    releases.forEach(CountDownLatch::countDown);
    transport.close();
  }

  private StallingBody stall(String prefix) {
    StallingBody body = new StallingBody(prefix);
    stalls.add(body);
    server.enqueue(body.response());
    return body;
  }

  private Worker worker() {
    return Worker.of("w1", server.url("/").toString());
  }

  private static ChatRequest chat() {
    return ChatRequest.builder().model("m").message(ChatMessage.user("hi")).build();
  }

  private static final String GENERATE_OK =
      "{\"text\":\"a\",\"output_ids\":[1],\"meta_info\":{\"finish_reason\":{\"type\":\"stop\"}}}";

  // ---------------------------------------------------------------- headers

  @Test
  void call_sendsRequestIdAuthAndHeadersInOrder() throws Exception {
    server.enqueue(json(GENERATE_OK));
    Worker worker =
        Worker.builder("w1", server.url("/").toString())
            .apiKey("sk-test-123")
            .header("X-Worker", "w")
            .build();
    FakeCallContext context =
        new FakeCallContext(
            "req-42",
            Duration.ofSeconds(30),
            Map.of("X-Worker", "w", "X-Tenant", "t\u00e9", "X-Request-Id", "spoofed",
                "Content-Type", "text/plain"));

    await(transport.generate(worker, GenerateRequest.ofText("hi"), context));

    RecordedRequest recorded = take(server);
    assertThat(recorded.getHeaders().get("X-Request-Id")).isEqualTo("req-42");
    assertThat(recorded.getHeaders().values("X-Request-Id")).hasSize(1);
    assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer sk-test-123");
    assertThat(recorded.getHeaders().get("X-Worker")).isEqualTo("w");
    assertThat(recorded.getHeaders().get("X-Tenant")).isEqualTo("t\u00e9");
    assertThat(recorded.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(recorded.getHeaders().get("Accept")).isEqualTo("application/json");
  }

  @Test
  void call_contextHeaderReplacesDefaultAuthorization() throws Exception {
    server.enqueue(json(GENERATE_OK));
    Worker worker = Worker.builder("w1", server.url("/").toString()).apiKey("sk-1").build();
    FakeCallContext context =
        new FakeCallContext("r", Duration.ofSeconds(30), Map.of("Authorization", "Basic abc"));

    await(transport.generate(worker, GenerateRequest.ofText("hi"), context));

    assertThat(take(server).getHeaders().values("Authorization")).containsExactly("Basic abc");
  }

  @Test
  void call_noAuthorizationWithoutApiKey() throws Exception {
    server.enqueue(json(GENERATE_OK));

    await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(take(server).getHeaders().get("Authorization")).isNull();
  }

  @Test
  void call_apiKeyWithLineBreaksIsRejectedWithoutShowingIt() {
    // The worker description refuses such a key before any transport sees it.
    assertThatThrownBy(
            () ->
                Worker.builder("w1", server.url("/").toString())
                    .apiKey("sk-secret\nInjected: x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("apiKey of worker 'w1'")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("sk-secret"));
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void call_workerBasePathIsKept() throws Exception {
    server.enqueue(json("{\"id\":\"c\",\"choices\":[]}"));
    Worker worker =
        Worker.builder("w", server.url("/prefix/sglang/").toString())
            .flavor(ApiFlavor.OPENAI)
            .build();

    await(transport.chat(worker, chat(), FakeCallContext.of("r")));

    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/prefix/sglang/v1/chat/completions");
  }

  // ---------------------------------------------------------------- status errors

  private WorkerException statusFailure(MockResponse response) {
    server.enqueue(response);
    Throwable t = failure(transport.chat(worker(), chat(), FakeCallContext.of("r")));
    assertThat(t).isInstanceOf(WorkerException.class);
    WorkerException e = (WorkerException) t;
    assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
    assertThat(e.workerId()).isEqualTo("w1");
    return e;
  }

  @Test
  void status400FlatErrorIsNotRetryable() {
    String body =
        "{\"object\":\"error\",\"message\":\"The input (9000 tokens) is longer than the model's "
            + "context length (8192 tokens).\",\"type\":\"BadRequestError\",\"param\":null,"
            + "\"code\":400}";
    WorkerException e = statusFailure(json(400, body));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.getMessage()).contains("HTTP 400").contains("context length (8192 tokens)");
    assertThat(e.errorBody()).isEqualTo(body);
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void status404NestedError() {
    WorkerException e =
        statusFailure(
            json(
                404,
                "{\"error\":{\"message\":\"The model `x` does not exist.\","
                    + "\"type\":\"NotFoundError\",\"param\":\"model\",\"code\":404}}"));

    assertThat(e.statusCode()).isEqualTo(404);
    assertThat(e.getMessage()).contains("The model `x` does not exist.");
  }

  @Test
  void status429KeepsRetryAfterAndIsRetryable() {
    WorkerException e =
        statusFailure(
            new MockResponse.Builder()
                .code(429)
                .addHeader("Retry-After", "7")
                .addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"rate limited\"}}")
                .build());

    assertThat(e.getMessage()).contains("rate limited").contains("Retry-After: 7");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void status500PlainTextBody() {
    WorkerException e =
        statusFailure(new MockResponse.Builder().code(500).body("Internal Server Error").build());

    assertThat(e.getMessage()).contains("Internal Server Error");
    assertThat(e.errorBody()).isEqualTo("Internal Server Error");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void status503EmptyBodyAndFastApiDetail() {
    WorkerException empty = statusFailure(new MockResponse.Builder().code(503).build());
    assertThat(empty.statusCode()).isEqualTo(503);
    assertThat(empty.errorBody()).isNull();
    assertThat(empty.isRetryable()).isTrue();

    WorkerException detail = statusFailure(json(503, "{\"detail\":\"Server is starting\"}"));
    assertThat(detail.getMessage()).contains("Server is starting");
  }

  @Test
  void statusErrorBodyIsTruncatedInTheException() {
    WorkerException e =
        statusFailure(new MockResponse.Builder().code(500).body("x".repeat(10_000)).build());

    assertThat(e.errorBody()).hasSize(WorkerException.MAX_BODY_CHARS + 3);
    assertThat(e.getMessage().length()).isLessThan(1200);
  }

  @Test
  void streamStatusErrorIsThrownBeforeAnyChunk() {
    server.enqueue(json(503, "{\"object\":\"error\",\"message\":\"The request queue is full.\"}"));

    assertThatThrownBy(() -> transport.chatStream(worker(), chat(), FakeCallContext.of("r")))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.getMessage()).contains("The request queue is full.");
            });
  }

  @Test
  void nonJsonSuccessBodyIsMalformed() {
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "text/html")
            .body("<html>proxy login</html>")
            .build());

    Throwable t = failure(transport.chat(worker(), chat(), FakeCallContext.of("r")));

    assertThat(t).isInstanceOfSatisfying(
        WorkerException.class,
        e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
          assertThat(e.isRetryable()).isTrue();
        });
  }

  @Test
  void errorReportWithStatus200IsMalformed() {
    server.enqueue(json("{\"error\":{\"message\":\"odd\"}}"));

    Throwable t = failure(transport.chat(worker(), chat(), FakeCallContext.of("r")));

    assertThat(t).isInstanceOf(WorkerException.class).hasMessageContaining("odd");
  }

  @Test
  void errorReportWithStatus200_thatNamesAStatus_isThatStatus() {
    server.enqueue(
        json("{\"object\":\"error\",\"code\":400,\"message\":\"context length exceeded\"}"));
    server.enqueue(json("{\"error\":{\"message\":\"busy\",\"code\":503}}"));

    Throwable refused =
        failure(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));
    Throwable busy = failure(transport.chat(worker(), chat(), FakeCallContext.of("s")));

    assertThat(refused).isInstanceOfSatisfying(
        WorkerException.class,
        e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.isRetryable()).isFalse();
          assertThat(e).hasMessageContaining("context length exceeded");
        });
    assertThat(busy).isInstanceOfSatisfying(
        WorkerException.class,
        e -> {
          assertThat(e.statusCode()).isEqualTo(503);
          assertThat(e.isRetryable()).isTrue();
        });
  }

  @Test
  void redirectsAreNotFollowed() {
    server.enqueue(
        new MockResponse.Builder().code(307).addHeader("Location", "http://elsewhere.invalid/x")
            .build());

    Throwable t =
        failure(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(t).isInstanceOfSatisfying(
        WorkerException.class,
        e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
          assertThat(e.statusCode()).isEqualTo(307);
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aRequestThatWentOutIsNotSentAgainWhenItsReusedConnectionBreaks() throws Exception {
    server.enqueue(json(GENERATE_OK));
    await(transport.generate(worker(), GenerateRequest.ofText("warm"), FakeCallContext.of("a")));
    // The pooled connection breaks after the worker read the next request.
    server.enqueue(
        new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    server.enqueue(json(GENERATE_OK));

    Throwable t =
        failure(transport.generate(worker(), GenerateRequest.ofText("once"), FakeCallContext.of("b")));

    assertThat(t).isInstanceOfSatisfying(
        WorkerException.class,
        e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- connection failures

  @Test
  void connectionRefusedIsConnectionFailure() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Worker closed = Worker.of("gone", "http://127.0.0.1:" + port);

    Throwable t = failure(transport.generate(closed, GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(t).isInstanceOfSatisfying(
        WorkerException.class,
        e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION);
          assertThat(e.workerId()).isEqualTo("gone");
          assertThat(e.isRetryable()).isTrue();
        });
    assertThatThrownBy(() -> transport.chatStream(closed, chat(), FakeCallContext.of("r")))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION));
  }

  @Test
  void connectionDroppedMidStreamIsConnectionFailure() {
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "text/event-stream")
            .body(events("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
                + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n"
                + done())
            .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE)
            .build());
    ChunkSource<ChatChunk> source = transport.chatStream(worker(), chat(), FakeCallContext.of("r"));

    assertThatThrownBy(
            () -> {
              while (source.next() != null) {
                // read until the break
              }
            })
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION));
    source.close();
  }

  // ---------------------------------------------------------------- timeouts

  @Test
  void callTimeoutFromContextIsRequestTimeout() throws Exception {
    stall("{\"text\":");
    FakeCallContext context = new FakeCallContext("slow", Duration.ofMillis(300), Map.of());

    Throwable t = failure(transport.generate(worker(), GenerateRequest.ofText("hi"), context));

    assertThat(t).isInstanceOfSatisfying(
        RequestTimeoutException.class,
        e -> {
          assertThat(e.getMessage()).contains("slow");
          assertThat(e.timeout()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(300));
        });
  }

  @Test
  void callTimeoutWhileStreamIsBlockedIsRequestTimeout() throws Exception {
    stall(events("{\"text\":\"a\",\"output_ids\":[1],\"meta_info\":{}}"));
    // Long enough to cover the connection and the first chunk on a busy machine; the stall after
    // it lasts until the end of the test.
    FakeCallContext context = new FakeCallContext("slow", Duration.ofSeconds(2), Map.of());
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), context);

    assertThat(source.next()).isNotNull();
    assertThatThrownBy(source::next).isInstanceOf(RequestTimeoutException.class);
    source.close();
  }

  @Test
  void idleReadTimeoutIsRetryableConnectionFailure() throws Exception {
    try (HttpTransport quick = HttpTransport.builder().readTimeout(Duration.ofMillis(200)).build()) {
      stall("{\"text\":");

      Throwable t = failure(quick.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

      assertThat(t).isInstanceOfSatisfying(
          WorkerException.class,
          e -> {
            assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION);
            assertThat(e.getMessage()).contains("timed out");
          });
    }
  }

  @Test
  void expiredDeadlineFailsWithoutSending() {
    FakeCallContext expired = new FakeCallContext("late", Duration.ofMillis(-1), Map.of());

    assertThat(failure(transport.generate(worker(), GenerateRequest.ofText("hi"), expired)))
        .isInstanceOf(RequestTimeoutException.class);
    assertThatThrownBy(() -> transport.chatStream(worker(), chat(), expired))
        .isInstanceOf(RequestTimeoutException.class);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void hugeRemainingTimeIsCapped() {
    server.enqueue(json(GENERATE_OK));
    FakeCallContext forever =
        new FakeCallContext("r", Duration.ofNanos(Long.MAX_VALUE / 2), Map.of());

    assertThat(await(transport.generate(worker(), GenerateRequest.ofText("hi"), forever)).text())
        .isEqualTo("a");
  }

  // ---------------------------------------------------------------- cancellation

  @Test
  void cancelledContextFailsUnaryCallWithRequestCancelled() throws Exception {
    StallingBody body = stall("{\"text\":");
    FakeCallContext context = FakeCallContext.of("c-1");
    CompletableFuture<?> future = transport.generate(worker(), GenerateRequest.ofText("hi"), context);
    body.awaitWritten();

    context.cancel();

    assertThat(failure(future))
        .isInstanceOf(RequestCancelledException.class)
        .hasMessageContaining("c-1");
  }

  @Test
  void alreadyCancelledContextSendsNothing() {
    FakeCallContext context = FakeCallContext.of("c-0");
    context.cancel();

    assertThat(failure(transport.generate(worker(), GenerateRequest.ofText("hi"), context)))
        .isInstanceOf(RequestCancelledException.class);
    assertThatThrownBy(() -> transport.chatStream(worker(), chat(), context))
        .isInstanceOf(RequestCancelledException.class);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void cancelledContextUnblocksNextPromptly() throws Exception {
    stall(events("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
        + "data: {\"id\":");
    FakeCallContext context = FakeCallContext.of("c-2");
    ChunkSource<ChatChunk> source = transport.chatStream(worker(), chat(), context);
    assertThat(source.next().content()).isEqualTo("a");

    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                source.next();
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    reader.start();
    awaitBlockedInRead(reader);
    context.cancel();
    // The stall lasts until the end of the test: only the cancel can end the read.
    reader.join(10_000);

    assertThat(reader.isAlive()).as("next() still blocked").isFalse();
    assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
    source.close();
  }

  @Test
  void closeFromAnotherThreadUnblocksNext() throws Exception {
    stall(events("{\"text\":\"a\",\"output_ids\":[1],\"meta_info\":{}}"));
    FakeCallContext context = FakeCallContext.of("c-3");
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), context);
    assertThat(source.next()).isNotNull();

    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                source.next();
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    reader.start();
    awaitBlockedInRead(reader);
    source.close();
    reader.join(5_000);

    assertThat(reader.isAlive()).as("next() still blocked").isFalse();
    assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
    assertThat(context.isCancelled()).isFalse();
    source.close(); // idempotent
    assertThatThrownBy(source::next).isInstanceOf(RequestCancelledException.class);
  }

  @Test
  void closeAfterNormalEndKeepsNullAndIsHarmless() {
    server.enqueue(
        sse(events("{\"text\":\"a\",\"meta_info\":{\"finish_reason\":{\"type\":\"stop\"}}}") + done()));
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"));

    assertThat(source.next()).isNotNull();
    assertThat(source.next()).isNull();
    source.close();
    assertThat(source.next()).isNull();
  }

  @Test
  void connectionIsReusedAfterAStreamEnds() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(
          sse(events("{\"text\":\"a\",\"meta_info\":{\"finish_reason\":{\"type\":\"stop\"}}}")
              + done()));
      try (ChunkSource<GenerateChunk> source =
          transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"))) {
        while (source.next() != null) {
          // drain
        }
      }
    }
    assertThat(take(server).getConnectionIndex()).isZero();
    assertThat(take(server).getConnectionIndex()).isZero();
    assertThat(take(server).getConnectionIndex()).isZero();
  }

  // ---------------------------------------------------------------- health

  @Test
  void checkHealth_okAndFailing() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("").build());
    server.enqueue(new MockResponse.Builder().code(503).build());

    await(transport.checkHealth(worker(), FakeCallContext.of("h-1")));
    Throwable t = failure(transport.checkHealth(worker(), FakeCallContext.of("h-2")));

    RecordedRequest first = take(server);
    assertThat(first.getMethod()).isEqualTo("GET");
    assertThat(first.getUrl().encodedPath()).isEqualTo("/health");
    assertThat(first.getHeaders().get("X-Request-Id")).isEqualTo("h-1");
    assertThat(t).isInstanceOfSatisfying(
        WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void checkHealth_timesOutWithTheContext() {
    CountDownLatch answer = new CountDownLatch(1);
    releases.add(answer);
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            answer.await(30, TimeUnit.SECONDS); // hold the status line back
            return new MockResponse.Builder().code(200).build();
          }
        });
    FakeCallContext context = new FakeCallContext("h", Duration.ofMillis(200), Map.of());

    assertThat(failure(transport.checkHealth(worker(), context)))
        .isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void aCallStillQueuedWhenTheTransportCloses_failsAsClosedNotAsAWorkerFault() throws Exception {
    CountDownLatch firstArrived = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    releases.add(answer);
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            firstArrived.countDown();
            answer.await(30, TimeUnit.SECONDS);
            return new MockResponse.Builder().code(200).build();
          }
        });
    HttpTransport oneAtATime = HttpTransport.builder().maxRequests(1).build();
    try {
      CompletableFuture<Void> running = oneAtATime.checkHealth(worker(), FakeCallContext.of("h-1"));
      assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
      // Waits in OkHttp's dispatcher queue behind the first call.
      CompletableFuture<Void> queued = oneAtATime.checkHealth(worker(), FakeCallContext.of("h-2"));

      oneAtATime.close();
      answer.countDown();

      assertThat(failure(queued)).isInstanceOf(RouterClosedException.class);
      running.handle((ok, e) -> null).get(10, TimeUnit.SECONDS);
    } finally {
      oneAtATime.close();
    }
  }
}
