package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.body;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.take;
import static io.flexroute.transport.http.TestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class WorkerTokenizerTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private Worker sglang() {
    return Worker.builder("w1", server.url("/base").toString())
        .flavor(ApiFlavor.SGLANG)
        .apiKey("sk-secret-1")
        .header("X-Team", "rl")
        .build();
  }

  private Worker vllm() {
    return Worker.builder("v1", server.url("/").toString()).flavor(ApiFlavor.VLLM).build();
  }

  @Test
  void encode_postsThePromptWithoutSpecialTokens() throws Exception {
    server.enqueue(json("{\"tokens\":[9707,1879],\"count\":2,\"max_model_len\":4096}"));
    try (WorkerTokenizer t = WorkerTokenizer.of(sglang())) {
      assertThat(t.encode("Hello world")).containsExactly(9707, 1879);
    }
    RecordedRequest r = take(server);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/base/tokenize");
    assertThat(body(r))
        .isEqualTo(tree("{\"prompt\":\"Hello world\",\"add_special_tokens\":false}"));
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer sk-secret-1");
    assertThat(r.getHeaders().get("X-Team")).isEqualTo("rl");
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
  }

  @Test
  void decode_sglang_keepsSpecialTokensAndReadsText() throws Exception {
    server.enqueue(json("{\"text\":\"<|im_end|>\\nHi\"}"));
    try (WorkerTokenizer t = WorkerTokenizer.builder(sglang()).model("qwen3").build()) {
      assertThat(t.decode(new int[] {151645, 198, 13048})).isEqualTo("<|im_end|>\nHi");
    }
    assertThat(body(take(server)))
        .isEqualTo(
            tree(
                "{\"model\":\"qwen3\",\"tokens\":[151645,198,13048],"
                    + "\"skip_special_tokens\":false}"));
  }

  @Test
  void decode_vllm_readsPromptField() throws Exception {
    server.enqueue(json("{\"prompt\":\"Hello\"}"));
    try (WorkerTokenizer t = WorkerTokenizer.of(vllm())) {
      assertThat(t.decode(new int[] {9707})).isEqualTo("Hello");
    }
    RecordedRequest r = take(server);
    assertThat(r.getUrl().encodedPath()).isEqualTo("/detokenize");
    assertThat(body(r)).isEqualTo(tree("{\"tokens\":[9707]}"));
    assertThat(r.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void decodeEach_sglang_sendsOneBatch() throws Exception {
    server.enqueue(json("{\"text\":[\"Hello\",\" world\",\"\\uFFFD\"]}"));
    try (WorkerTokenizer t = WorkerTokenizer.of(sglang())) {
      assertThat(t.decodeEach(new int[] {9707, 1879, 145}))
          .containsExactly("Hello", " world", "\uFFFD");
    }
    assertThat(body(take(server)))
        .isEqualTo(tree("{\"tokens\":[[9707],[1879],[145]],\"skip_special_tokens\":false}"));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void decodeEach_vllm_callsOncePerToken() throws Exception {
    server.enqueue(json("{\"prompt\":\"a\"}"));
    server.enqueue(json("{\"prompt\":\"b\"}"));
    try (WorkerTokenizer t = WorkerTokenizer.of(vllm())) {
      assertThat(t.decodeEach(new int[] {1, 2})).containsExactly("a", "b");
    }
    assertThat(body(take(server))).isEqualTo(tree("{\"tokens\":[1]}"));
    assertThat(body(take(server))).isEqualTo(tree("{\"tokens\":[2]}"));
  }

  @Test
  void emptyInputs_areAnsweredWithoutACall() {
    try (WorkerTokenizer t = WorkerTokenizer.of(sglang())) {
      assertThat(t.encode("")).isEmpty();
      assertThat(t.decode(new int[0])).isEmpty();
      assertThat(t.decodeEach(new int[0])).isEmpty();
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void errorStatus_isAWorkerExceptionWithTheWorkersMessage() {
    server.enqueue(json(400, "{\"object\":\"error\",\"message\":\"prompt too long\",\"code\":400}"));
    try (WorkerTokenizer t = WorkerTokenizer.of(sglang())) {
      assertThatThrownBy(() -> t.encode("secret prompt text"))
          .isInstanceOfSatisfying(
              WorkerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.workerId()).isEqualTo("w1");
              })
          .hasMessageContaining("prompt too long")
          .hasMessageNotContaining("secret prompt text")
          .hasMessageNotContaining("sk-secret-1");
    }
  }

  @Test
  void wrongShapes_areMalformedResponses() {
    server.enqueue(json("{\"tokens\":[1,\"x\"]}"));
    server.enqueue(json("{\"count\":3}"));
    server.enqueue(json("[1,2]"));
    server.enqueue(json("{\"text\":[\"only one\"]}"));
    server.enqueue(json("{\"text\":42}"));
    try (WorkerTokenizer t = WorkerTokenizer.of(sglang())) {
      assertMalformed(() -> t.encode("a"), "$.tokens[1] must be a token id");
      assertMalformed(() -> t.encode("a"), "no tokens array");
      assertMalformed(() -> t.encode("a"), "must be a JSON object");
      assertMalformed(() -> t.decodeEach(new int[] {1, 2}), "text array of 2 strings");
      assertMalformed(() -> t.decode(new int[] {1}), "text (SGLang) or prompt (vLLM) string");
    }
  }

  private static void assertMalformed(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE))
        .hasMessageContaining(message);
  }

  @Test
  void connectionFailure_isAConnectionWorkerException() {
    // Nothing listens on port 1 of the loopback address: the connection is refused.
    Worker nowhere = Worker.builder("gone", "http://127.0.0.1:1").build();
    try (WorkerTokenizer t = WorkerTokenizer.of(nowhere)) {
      assertThatThrownBy(() -> t.encode("a"))
          .isInstanceOfSatisfying(
              WorkerException.class,
              e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION))
          .hasMessageContaining("/tokenize failed");
    }
  }

  @Test
  void timeout_isAConnectionWorkerException() {
    server.enqueue(json("{\"tokens\":[1]}").newBuilder().headersDelay(2, TimeUnit.SECONDS).build());
    try (WorkerTokenizer t =
        WorkerTokenizer.builder(sglang()).timeout(Duration.ofMillis(100)).build()) {
      assertThatThrownBy(() -> t.encode("a"))
          .isInstanceOf(WorkerException.class)
          .hasMessageContaining("timed out");
    }
  }

  @Test
  void sharedClient_isUsedAndLeftOpen() throws Exception {
    OkHttpClient shared = new OkHttpClient();
    server.enqueue(json("{\"tokens\":[5]}"));
    server.enqueue(json("{\"tokens\":[6]}"));
    WorkerTokenizer t = WorkerTokenizer.builder(sglang()).okHttpClient(shared).name("qwen").build();
    assertThat(t.encode("x")).containsExactly(5);
    t.close();
    t.close();
    assertThatThrownBy(() -> t.encode("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tokenizer 'qwen' is closed");
    assertThat(t.name()).isEqualTo("qwen");
    assertThat(t.worker().id()).isEqualTo("w1");
    assertThat(t).hasToString("WorkerTokenizer{qwen, worker=w1}");
    // The shared client still works.
    try (WorkerTokenizer again = WorkerTokenizer.builder(sglang()).okHttpClient(shared).build()) {
      assertThat(again.encode("y")).containsExactly(6);
      assertThat(again.name()).isEqualTo("worker:w1");
    }
  }

  @Test
  void builder_rejectsBadSettings() {
    WorkerTokenizer.Builder b = WorkerTokenizer.builder(sglang());
    assertThatThrownBy(() -> b.timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, but was PT0S");
    assertThatThrownBy(() -> b.model(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model must not be blank");
    assertThatThrownBy(() -> b.name(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
    assertThatThrownBy(() -> WorkerTokenizer.builder(null))
        .isInstanceOf(NullPointerException.class);
  }
}
