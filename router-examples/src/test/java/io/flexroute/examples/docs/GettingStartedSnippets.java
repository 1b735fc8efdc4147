package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.Router;
import io.flexroute.Worker;
import io.flexroute.core.MicrometerRouterMetrics;
import io.flexroute.testkit.worker.FakeWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snippets of README.md and docs/getting-started.md, run against fake workers. */
class GettingStartedSnippets {

  private FakeWorker fakeA;
  private FakeWorker fakeB;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @BeforeEach
  void startWorkers() {
    fakeA = FakeWorker.builder().model("qwen3-8b").start();
    fakeB = FakeWorker.builder().model("qwen3-8b").start();
  }

  @AfterEach
  void stopWorkers() {
    fakeA.close();
    fakeB.close();
  }

  @Test
  void firstRouter() {
    MeterRegistry meterRegistry = new SimpleMeterRegistry();
    String urlA = fakeA.baseUrl();
    String urlB = fakeB.baseUrl();
    PrintStream stdout = System.out;
    System.setOut(out);
    try {
      firstRouter(urlA, urlB, meterRegistry);
    } finally {
      System.setOut(stdout);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8)).containsPattern("\\(served by [ab]\\)");
    assertThat(meterRegistry.find("flexroute.requests").timer()).isNotNull();
    assertThat(meterRegistry.find("flexroute.requests").timer().count()).isEqualTo(1);
  }

  private static void firstRouter(String urlA, String urlB, MeterRegistry meterRegistry) {
    // tag::first-router[]
    try (Router router = Router.builder()
            .worker(Worker.builder("a", urlA).model("qwen3-8b").build())
            .worker(Worker.builder("b", urlB).model("qwen3-8b").build())
            .strategy("least_inflight")
            .listener(new MicrometerRouterMetrics(meterRegistry))
            .build()) {
        ChatCompletion answer = router.chat(ChatRequest.builder()
                .model("qwen3-8b")
                .message(ChatMessage.user("Name a prime number."))
                .maxTokens(32)
                .build());
        System.out.println(answer.content() + " (served by " + answer.workerId() + ")");
    }
    // end::first-router[]
  }
}
