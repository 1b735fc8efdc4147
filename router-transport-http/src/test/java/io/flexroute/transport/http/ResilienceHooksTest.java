package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.failure;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ApiFlavor;
import io.flexroute.GenerateRequest;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.transport.http.internal.Failures;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the router's resilience needs from the transport: Retry-After, aborts, probe paths. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ResilienceHooksTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();

  @AfterEach
  void close() {
    transport.close();
  }

  private Worker worker(ApiFlavor flavor) {
    return Worker.builder("w1", server.url("/").toString()).flavor(flavor).build();
  }

  @Test
  void retryAfterSecondsIsCarriedOnTheException() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "7")
            .body("{\"error\":{\"message\":\"slow down\"}}")
            .build());
    Throwable t =
        failure(
            transport.generate(
                worker(ApiFlavor.SGLANG), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));
    assertThat(t).isInstanceOf(WorkerException.class);
    WorkerException e = (WorkerException) t;
    assertThat(e.statusCode()).isEqualTo(429);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void retryAfterParsing() {
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    assertThat(Failures.parseRetryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(Failures.parseRetryAfter("Wed, 25 Nov 2026 10:00:30 GMT", now))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(Failures.parseRetryAfter("Wed, 25 Nov 2026 09:00:00 GMT", now))
        .isEqualTo(Duration.ZERO);
    assertThat(Failures.parseRetryAfter("soon", now)).isNull();
    assertThat(Failures.parseRetryAfter("-3", now)).isNull();
    assertThat(Failures.parseRetryAfter(null, now)).isNull();
  }

  @Test
  void abortPostsTheRidToSglang() throws Exception {
    server.enqueue(json("{}"));
    await(transport.abort(worker(ApiFlavor.SGLANG), "req-42", FakeCallContext.of("req-42")));
    RecordedRequest recorded = take(server);
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/abort_request");
    assertThat(recorded.getBody().utf8()).isEqualTo("{\"rid\":\"req-42\"}");
  }

  @Test
  void abortIsNotSentToOpenAiCompatibleWorkers() {
    await(transport.abort(worker(ApiFlavor.VLLM), "req-42", FakeCallContext.of("req-42")));
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void healthProbeUsesTheConfiguredPath() throws Exception {
    server.enqueue(json("{}"));
    await(
        transport.checkHealth(
            worker(ApiFlavor.SGLANG), "/health_generate", FakeCallContext.of("h")));
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/health_generate");
    server.enqueue(new MockResponse.Builder().code(503).build());
    assertThat(
            failure(
                transport.checkHealth(
                    worker(ApiFlavor.SGLANG), "/health_generate", FakeCallContext.of("h"))))
        .isInstanceOf(WorkerException.class);
  }
}
