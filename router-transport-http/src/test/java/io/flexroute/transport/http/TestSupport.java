package io.flexroute.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.BufferedSink;

/** Helpers shared by the transport tests. */
final class TestSupport {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private TestSupport() {}

  /** A JSON answer. */
  static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  static MockResponse json(String body) {
    return json(200, body);
  }

  /** An event-stream answer with the given raw body. */
  static MockResponse sse(String body) {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "text/event-stream")
        .body(body)
        .build();
  }

  /** {@code data: <json>\n\n} for each JSON document. */
  static String events(String... jsons) {
    StringBuilder sb = new StringBuilder();
    for (String j : jsons) {
      sb.append("data: ").append(j).append("\n\n");
    }
    return sb.toString();
  }

  static String done() {
    return "data: [DONE]\n\n";
  }

  static JsonNode tree(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The recorded request's body as a tree. */
  static JsonNode body(RecordedRequest request) {
    return tree(Objects.requireNonNull(request.getBody()).utf8());
  }

  static RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("a request reached the server").isNotNull();
    return request;
  }

  /** The future's value, failing the test if it takes longer than 10 seconds. */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("future did not complete normally", e);
    }
  }

  /** The exception the future failed with, failing the test if it completes normally. */
  static Throwable failure(CompletableFuture<?> future) {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete", e);
    }
    throw new AssertionError("future completed normally");
  }

  /**
   * A body that writes a prefix, tells the test it did, and then holds the response open until
   * released (never longer than 30 seconds).
   */
  static final class StallingBody implements MockResponseBody {
    private final String prefix;
    final CountDownLatch written = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    StallingBody(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.writeUtf8(prefix);
      sink.flush();
      written.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void awaitWritten() throws InterruptedException {
      assertThat(written.await(10, TimeUnit.SECONDS)).as("stalling body was written").isTrue();
    }

    MockResponse response() {
      return new MockResponse.Builder()
          .addHeader("Content-Type", "text/event-stream")
          .body(this)
          .build();
    }
  }

  /**
   * Waits (without sleeping) until a thread is blocked reading a socket, so that a test acts on a
   * read that is really in progress; fails after 5 seconds.
   */
  static void awaitBlockedInRead(Thread thread) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      for (StackTraceElement frame : thread.getStackTrace()) {
        String cls = frame.getClassName();
        if (cls.startsWith("sun.nio.ch.") || cls.contains("SocketInputStream")) {
          return;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("thread never blocked in a socket read: " + thread.getState());
  }
}
