package io.flexroute.testkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.testkit.ToyTokenizer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GenerateEndpointTest {

  private final FakeWorker worker = FakeWorker.builder().weightVersion("v7").start();
  private final TestClient client = new TestClient(worker);

  @AfterEach
  void close() {
    worker.close();
  }

  @Test
  void generate_answersWithTextIdsAndMetaInfo() throws Exception {
    TestClient.Reply reply =
        client.post(
            "/generate",
            "{\"text\":\"Hello world\",\"rid\":\"r-1\",\"sampling_params\":{\"max_new_tokens\":5}}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    JsonNode body = reply.json();
    assertThat(body.fieldNames()).toIterable().containsExactly("text", "output_ids", "meta_info");
    assertThat(body.get("output_ids")).hasSize(5);
    assertThat(worker.tokenizer().decode(ids(body.get("output_ids"))))
        .isEqualTo(body.get("text").asText());
    JsonNode meta = body.get("meta_info");
    assertThat(meta.get("id").asText()).isEqualTo("r-1");
    assertThat(meta.get("finish_reason")).isEqualTo(json("{\"type\":\"length\",\"length\":5}"));
    assertThat(meta.get("prompt_tokens").asInt()).isEqualTo(2);
    assertThat(meta.get("completion_tokens").asInt()).isEqualTo(5);
    assertThat(meta.get("cached_tokens").asInt()).isZero();
    assertThat(meta.get("weight_version").asText()).isEqualTo("v7");
    assertThat(meta.get("e2e_latency").isDouble()).isTrue();
    assertThat(meta.has("output_token_logprobs")).isFalse();
  }

  @Test
  void generate_makesUpAHexRidWhenNoneIsGiven() throws Exception {
    JsonNode meta = client.post("/generate", "{\"text\":\"x\"}").json().get("meta_info");

    assertThat(meta.get("id").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void generate_acceptsInputIdsAndUsesSglangsDefaultLimit() throws Exception {
    JsonNode body =
        client.post("/generate", "{\"input_ids\":[1,2,3],\"sampling_params\":{\"ignore_eos\":true}}")
            .json();

    assertThat(body.at("/meta_info/prompt_tokens").asInt()).isEqualTo(3);
    assertThat(body.at("/meta_info/completion_tokens").asInt()).isEqualTo(128);
    assertThat(body.at("/meta_info/finish_reason/type").asText()).isEqualTo("length");
  }

  @Test
  void generate_isDeterministicAndAShorterLimitGivesAPrefix() throws Exception {
    String request = "{\"text\":\"Same prompt\",\"sampling_params\":{\"max_new_tokens\":6}}";
    JsonNode first = client.post("/generate", request).json();
    JsonNode again = client.post("/generate", request).json();
    JsonNode shorter =
        client.post("/generate", "{\"text\":\"Same prompt\",\"sampling_params\":{\"max_new_tokens\":3}}")
            .json();
    JsonNode seeded =
        client.post(
                "/generate",
                "{\"text\":\"Same prompt\",\"sampling_params\":{\"max_new_tokens\":6,"
                    + "\"sampling_seed\":99}}")
            .json();
    try (FakeWorker other = FakeWorker.builder().start()) {
      JsonNode elsewhere = new TestClient(other).post("/generate", request).json();
      assertThat(elsewhere.get("text")).isEqualTo(first.get("text"));
    }

    assertThat(again.get("text")).isEqualTo(first.get("text"));
    assertThat(again.get("output_ids")).isEqualTo(first.get("output_ids"));
    assertThat(first.get("text").asText()).startsWith(shorter.get("text").asText());
    assertThat(seeded.get("output_ids")).isNotEqualTo(first.get("output_ids"));
  }

  @Test
  void generate_endsWithEosAtTheNaturalLengthUnlessIgnoreEos() throws Exception {
    JsonNode natural =
        client.post("/generate", "{\"text\":\"Tell me\",\"sampling_params\":{\"max_new_tokens\":500}}")
            .json();
    JsonNode ignoring =
        client.post(
                "/generate",
                "{\"text\":\"Tell me\",\"sampling_params\":{\"max_new_tokens\":500,"
                    + "\"ignore_eos\":true}}")
            .json();

    assertThat(natural.at("/meta_info/finish_reason"))
        .isEqualTo(json("{\"type\":\"stop\",\"matched\":" + ToyTokenizer.EOS_TOKEN_ID + "}"));
    assertThat(natural.at("/meta_info/completion_tokens").asInt()).isBetween(8, 128);
    assertThat(ignoring.at("/meta_info/finish_reason/type").asText()).isEqualTo("length");
    assertThat(ignoring.at("/meta_info/completion_tokens").asInt()).isEqualTo(500);
  }

  @Test
  void generate_withZeroTokensOnlyPrefills() throws Exception {
    JsonNode body =
        client.post("/generate", "{\"text\":\"x\",\"sampling_params\":{\"max_new_tokens\":0}}")
            .json();

    assertThat(body.get("text").asText()).isEmpty();
    assertThat(body.at("/meta_info/finish_reason"))
        .isEqualTo(json("{\"type\":\"length\",\"length\":0}"));
  }

  @Test
  void generate_streamsCumulativeChunksThenDone() throws Exception {
    TestClient.Sse sse =
        client.stream(
            "/generate",
            "{\"text\":\"Stream me\",\"stream\":true,\"return_logprob\":true,"
                + "\"sampling_params\":{\"max_new_tokens\":4}}");

    assertThat(sse.status()).isEqualTo(200);
    assertThat(sse.contentType()).isEqualTo("text/event-stream");
    assertThat(sse.failure()).isNull();
    assertThat(sse.done()).isTrue();
    List<JsonNode> chunks = sse.json();
    assertThat(chunks).hasSize(4);
    for (int i = 0; i < chunks.size(); i++) {
      JsonNode chunk = chunks.get(i);
      boolean last = i == chunks.size() - 1;
      assertThat(chunk.get("output_ids")).hasSize(i + 1);
      assertThat(chunk.at("/meta_info/output_token_logprobs")).hasSize(i + 1);
      assertThat(chunk.at("/meta_info/completion_tokens").asInt()).isEqualTo(i + 1);
      assertThat(chunk.at("/meta_info/finish_reason").isNull()).isEqualTo(!last);
      assertThat(chunk.at("/meta_info").has("e2e_latency")).isEqualTo(last);
      if (i > 0) {
        assertThat(chunk.get("text").asText()).startsWith(chunks.get(i - 1).get("text").asText());
      }
    }
    JsonNode plain =
        client.post("/generate", "{\"text\":\"Stream me\",\"sampling_params\":{\"max_new_tokens\":4}}")
            .json();
    assertThat(chunks.get(3).get("text")).isEqualTo(plain.get("text"));
  }

  @Test
  void generate_streamsDeltasInIncrementalMode() throws Exception {
    try (FakeWorker incremental = FakeWorker.builder().incrementalStreamOutput(true).start()) {
      TestClient other = new TestClient(incremental);
      List<JsonNode> chunks =
          other
              .stream(
                  "/generate",
                  "{\"text\":\"Deltas\",\"stream\":true,\"sampling_params\":{\"max_new_tokens\":5}}")
              .json();
      JsonNode plain =
          other.post("/generate", "{\"text\":\"Deltas\",\"sampling_params\":{\"max_new_tokens\":5}}")
              .json();

      StringBuilder text = new StringBuilder();
      chunks.forEach(chunk -> text.append(chunk.get("text").asText()));
      assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.get("output_ids")).hasSize(1));
      assertThat(text.toString()).isEqualTo(plain.get("text").asText());
      assertThat(chunks.get(4).at("/meta_info/completion_tokens").asInt()).isEqualTo(5);
    }
  }

  @Test
  void generate_returnsLogprobsAsTriples() throws Exception {
    JsonNode meta =
        client.post(
                "/generate",
                "{\"text\":\"Three word prompt\",\"return_logprob\":true,\"logprob_start_len\":0,"
                    + "\"return_text_in_logprobs\":true,\"sampling_params\":{\"max_new_tokens\":3}}")
            .json()
            .get("meta_info");

    JsonNode output = meta.get("output_token_logprobs");
    assertThat(output).hasSize(3);
    for (JsonNode entry : output) {
      assertThat(entry).hasSize(3);
      assertThat(entry.get(0).asDouble()).isGreaterThan(-5.0).isLessThanOrEqualTo(0.0);
      assertThat(entry.get(2).asText()).isEqualTo(worker.tokenizer().decode(new int[] {entry.get(1).asInt()}));
    }
    JsonNode input = meta.get("input_token_logprobs");
    assertThat(input).hasSize(3);
    assertThat(input.get(0).get(0).isNull()).isTrue();
    assertThat(input.get(0).get(2).asText()).isEqualTo("Three");
    assertThat(input.get(1).get(0).isDouble()).isTrue();
  }

  @Test
  void generate_reportsThePrefixItSharesWithEarlierRequests() throws Exception {
    String system = "You are a helpful assistant. Answer briefly.";
    JsonNode first = meta("{\"text\":\"" + system + " First question?\"}");
    JsonNode second = meta("{\"text\":\"" + system + " Second question?\"}");
    JsonNode repeat = meta("{\"text\":\"" + system + "\"}");

    int systemTokens = worker.tokenizer().encode(system).length;
    assertThat(first.get("cached_tokens").asInt()).isZero();
    assertThat(second.get("cached_tokens").asInt()).isEqualTo(systemTokens);
    assertThat(repeat.get("cached_tokens").asInt()).isEqualTo(systemTokens - 1);

    assertThat(client.post("/flush_cache", "").status()).isEqualTo(200);
    assertThat(meta("{\"text\":\"" + system + " Third?\"}").get("cached_tokens").asInt()).isZero();
  }

  @Test
  void generate_cachesTheAnswerTooSoAFollowUpHitsIt() throws Exception {
    JsonNode first = client.post("/generate", "{\"text\":\"Q: hi\\nA:\"}").json();
    String followUp = "Q: hi\\nA:" + first.get("text").asText() + "\\nQ: more";

    JsonNode second = meta("{\"text\":\"" + followUp + "\"}");

    int firstTotal = first.at("/meta_info/prompt_tokens").asInt() + first.get("output_ids").size();
    assertThat(second.get("cached_tokens").asInt()).isEqualTo(firstTotal);
  }

  @Test
  void generate_usesTheBuildersDefaultLimitAndWeightVersionUpdates() throws Exception {
    try (FakeWorker small = FakeWorker.builder().defaultMaxTokens(3).start()) {
      TestClient other = new TestClient(small);
      small.setWeightVersion("v8");

      JsonNode meta = other.post("/generate", "{\"text\":\"x\"}").json().get("meta_info");

      assertThat(meta.get("completion_tokens").asInt()).isEqualTo(3);
      assertThat(meta.get("weight_version").asText()).isEqualTo("v8");
    }
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of(
            "{\"text\":\"a\",\"input_ids\":[1]}",
            "Either text, input_ids or input_embeds should be provided."),
        Arguments.of("{\"sampling_params\":{}}",
            "Either text, input_ids or input_embeds should be provided."),
        Arguments.of("{\"input_ids\":[]}", "input_ids cannot be empty."),
        Arguments.of("{\"text\":\"a\",\"sampling_params\":{\"temperature\":-1}}",
            "temperature must be non-negative, got -1.0."),
        Arguments.of("{\"text\":\"a\",\"sampling_params\":{\"top_p\":0}}",
            "top_p must be in (0, 1], got 0.0."),
        Arguments.of("{\"text\":\"a\",\"sampling_params\":{\"top_k\":0}}",
            "top_k must be -1 (disable), or at least 1, got 0."),
        Arguments.of("{\"text\":\"a\",\"sampling_params\":{\"max_new_tokens\":-2}}",
            "max_new_tokens must be at least 0, got -2."),
        Arguments.of("{\"text\":[\"a\",\"b\"]}",
            "The fake worker does not support batch requests; send one prompt per request."),
        Arguments.of("{\"text\":\"a\",\"sampling_params\":{\"n\":2}}",
            "The fake worker supports only n = 1."));
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void generate_rejectsInvalidRequestsWithSglangsErrorShape(String body, String message)
      throws Exception {
    TestClient.Reply reply = client.post("/generate", body);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json()).isEqualTo(json("{\"error\":{\"message\":" + quote(message) + "}}"));
    assertThat(worker.activeRequests()).isZero();
  }

  @Test
  void generate_rejectsMalformedJsonAndOverlongPrompts() throws Exception {
    TestClient.Reply malformed = client.post("/generate", "{\"text\":");
    try (FakeWorker tiny = FakeWorker.builder().maxModelLen(4).start()) {
      TestClient.Reply overlong =
          new TestClient(tiny).post("/generate", "{\"text\":\"one two three four five\"}");

      assertThat(overlong.status()).isEqualTo(400);
      assertThat(overlong.json().at("/error/message").asText())
          .isEqualTo("The input (5 tokens) is longer than the model's context length (4 tokens).");
    }

    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("object").asText()).isEqualTo("error");
    assertThat(malformed.json().get("code").asInt()).isEqualTo(400);
  }

  private JsonNode meta(String body) throws Exception {
    return client.post("/generate", body).json().get("meta_info");
  }

  static JsonNode json(String text) {
    return TestClient.parse(text);
  }

  static String quote(String text) throws Exception {
    return TestClient.JSON.writeValueAsString(text);
  }

  static int[] ids(JsonNode array) {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = array.get(i).asInt();
    }
    return ids;
  }
}
