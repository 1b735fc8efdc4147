package io.flexroute.testkit.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void worker_serves200ConcurrentStreams() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (FakeWorker worker =
        FakeWorker.builder().interTokenDelay(Duration.ofMillis(1)).start()) {
      // The policy holds every request until all of them are in flight at once.
      worker.setFaultPolicy(
          request -> {
            awaitQuietly(gate);
            return null;
          });
      TestClient client = new TestClient(worker);
      List<CompletableFuture<TestClient.Sse>> streams = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        streams.add(
            client.streamAsync(
                "/generate",
                "{\"text\":\"stream " + i + "\",\"stream\":true,"
                    + "\"sampling_params\":{\"max_new_tokens\":8}}"));
      }

      assertThat(worker.awaitActiveRequests(200, WAIT)).isTrue();
      gate.countDown();

      for (CompletableFuture<TestClient.Sse> stream : streams) {
        TestClient.Sse sse = stream.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sse.failure()).isNull();
        assertThat(sse.done()).isTrue();
        assertThat(sse.events()).hasSize(9);
      }
      assertThat(worker.awaitIdle(WAIT)).isTrue();
      assertThat(worker.requestCount()).isEqualTo(200);
    }
  }

  @Test
  void worker_turnsOffNaglesAlgorithmForItsServer() throws Exception {
    // With Nagle's algorithm on, every response waits about 40 ms for a delayed ACK; the JDK
    // server reads this property once, when its first server starts, so the worker sets it.
    try (FakeWorker worker = FakeWorker.builder().start()) {
      assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
      TestClient client = new TestClient(worker);
      assertThat(
              client
                  .post("/generate", "{\"text\":\"quick\",\"sampling_params\":{\"max_new_tokens\":2}}")
                  .status())
          .isEqualTo(200);
    }
  }

  @Test
  void worker_pacesTheFirstTokenAndTheTokensAfterIt() throws Exception {
    try (FakeWorker worker =
        FakeWorker.builder()
            .ttft(Duration.ofMillis(200))
            .interTokenDelay(Duration.ofMillis(40))
            .start()) {
      TestClient client = new TestClient(worker);
      long start = System.nanoTime();
      HttpResponse<InputStream> response =
          client.open(
              "/generate",
              "{\"text\":\"paced\",\"stream\":true,\"sampling_params\":{\"max_new_tokens\":4}}");
      try (TestClient.EventReader reader = new TestClient.EventReader(response.body())) {
        reader.next();
        Duration firstToken = Duration.ofNanos(System.nanoTime() - start);
        while (reader.next() != null) {
          continue;
        }
        Duration total = Duration.ofNanos(System.nanoTime() - start);

        assertThat(firstToken).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(total).isGreaterThanOrEqualTo(Duration.ofMillis(200 + 3 * 40));
      }
    }
  }

  @Test
  void close_dropsRunningRequestsAndReleasesEveryThread() throws Exception {
    int baseline = workerThreads();
    FakeWorker worker =
        FakeWorker.builder()
            .ttft(Duration.ofMinutes(1))
            .interTokenDelay(Duration.ofMinutes(1))
            .start();
    TestClient client = new TestClient(worker);
    worker.enqueue(Fault.stallBeforeHeaders());
    worker.enqueue(Fault.stallAfterHeaders());
    worker.enqueue(Fault.delay(Duration.ofMinutes(1)));
    List<CompletableFuture<?>> calls = new ArrayList<>();
    calls.add(client.postAsync("/generate", "{\"text\":\"stall before\"}"));
    calls.add(client.streamAsync("/generate", "{\"text\":\"stall after\",\"stream\":true}"));
    calls.add(client.postAsync("/generate", "{\"text\":\"delayed\"}"));
    calls.add(client.streamAsync("/v1/completions", "{\"prompt\":\"slow\",\"stream\":true}"));
    calls.add(client.postAsync("/v1/chat/completions", "{\"messages\":[{\"role\":\"u\"}]}"));
    assertThat(worker.awaitActiveRequests(5, WAIT)).isTrue();
    assertThat(workerThreads()).isGreaterThan(baseline);

    long start = System.nanoTime();
    worker.close();

    // Far less than the minute the requests would take: close does not wait for them (the bound
    // is loose so that a busy machine cannot trip it).
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(worker.activeRequests()).isZero();
    for (CompletableFuture<?> call : calls) {
      assertThat(finishedWithFailure(call)).isTrue();
    }
    assertThat(eventually(() -> workerThreads() <= baseline)).isTrue();
    worker.close();
  }

  @Test
  void worker_runsOnlyDaemonThreads() throws Exception {
    try (FakeWorker worker = FakeWorker.builder().start()) {
      new TestClient(worker).get("/health");

      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(thread -> isWorkerThread(thread.getName()))
          .isNotEmpty()
          .allSatisfy(thread -> assertThat(thread.isDaemon()).isTrue());
    }
  }

  @Test
  void close_refusesNewConnections() throws Exception {
    FakeWorker worker = FakeWorker.builder().start();
    TestClient client = new TestClient(worker);
    assertThat(client.get("/health").status()).isEqualTo(200);

    worker.close();

    assertThatThrownBy(() -> new TestClient(worker).get("/health")).isInstanceOf(IOException.class);
  }

  @Test
  void worker_describesWhereItListens() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (FakeWorker worker = FakeWorker.builder().model("named").port(port).start()) {
      assertThat(worker.port()).isEqualTo(port);
      assertThat(worker.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(worker.model()).isEqualTo("named");
      assertThat(worker.toString()).contains("127.0.0.1:" + port).contains("named");
      assertThatThrownBy(() -> FakeWorker.builder().port(port).start())
          .isInstanceOf(UncheckedIOException.class);
    }
  }

  @Test
  void builder_rejectsInvalidSettings() {
    FakeWorker.Builder builder = FakeWorker.builder();

    assertThatThrownBy(() -> builder.ttft(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.defaultMaxTokens(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.maxModelLen(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.stallLimit(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.model("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.port(70_000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void worker_validatesRuntimeSettings() {
    try (FakeWorker worker = FakeWorker.builder().start()) {
      assertThatThrownBy(() -> worker.setTokenUsage(1.5))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> worker.enqueue(Fault.status(500), 0))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static boolean finishedWithFailure(CompletableFuture<?> call) throws Exception {
    try {
      Object result = call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return result instanceof TestClient.Sse && ((TestClient.Sse) result).failure() != null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof IOException;
    }
  }

  /** Counts the threads of the fake workers and of the JDK HTTP servers behind them. */
  private static int workerThreads() {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(LifecycleTest::isWorkerThread)
            .count();
  }

  private static boolean isWorkerThread(String name) {
    return name.startsWith("fake-worker-")
        || name.equals("HTTP-Dispatcher")
        || name.startsWith("server-timer");
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    CountDownLatch never = new CountDownLatch(1);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      never.await(10, TimeUnit.MILLISECONDS);
    }
    return true;
  }

  private static void awaitQuietly(CountDownLatch gate) {
    try {
      gate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
