package io.flexroute.testkit.worker;

import static io.flexroute.testkit.worker.GenerateEndpointTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.testkit.ToyTokenizer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiEndpointsTest {

  private static final String CHAT =
      "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":\"Hello there\"}],\"max_tokens\":4";

  private final FakeWorker worker = FakeWorker.builder().weightVersion("w1").start();
  private final TestClient client = new TestClient(worker);

  @AfterEach
  void close() {
    worker.close();
  }

  @Test
  void chat_answersWithTheOpenAiShapeAndSglangMetadata() throws Exception {
    TestClient.Reply reply = client.post("/v1/chat/completions", CHAT + "}");

    assertThat(reply.status()).isEqualTo(200);
    JsonNode body = reply.json();
    assertThat(body.get("id").asText()).startsWith("chatcmpl-");
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("created").isIntegralNumber()).isTrue();
    assertThat(body.get("model").asText()).isEqualTo("fake-model");
    JsonNode choice = body.at("/choices/0");
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
    assertThat(choice.at("/message/content").asText()).isNotEmpty();
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
    assertThat(choice.get("matched_stop").isNull()).isTrue();
    assertThat(choice.get("logprobs").isNull()).isTrue();
    JsonNode usage = body.get("usage");
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(4);
    assertThat(usage.get("total_tokens").asInt())
        .isEqualTo(usage.get("prompt_tokens").asInt() + 4);
    assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isZero();
    assertThat(body.get("metadata")).isEqualTo(json("{\"weight_version\":\"w1\"}"));
  }

  @Test
  void chat_streamsRoleThenDeltasThenFinishThenUsageThenDone() throws Exception {
    TestClient.Sse sse =
        client.stream(
            "/v1/chat/completions",
            CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    String plain =
        client.post("/v1/chat/completions", CHAT + "}").json().at("/choices/0/message/content")
            .asText();

    assertThat(sse.contentType()).isEqualTo("text/event-stream");
    assertThat(sse.done()).isTrue();
    List<JsonNode> chunks = sse.json();
    assertThat(chunks).hasSize(1 + 4 + 1 + 1);
    assertThat(chunks)
        .allSatisfy(
            chunk -> {
              assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
              assertThat(chunk.get("id")).isEqualTo(chunks.get(0).get("id"));
              assertThat(chunk.has("metadata")).isFalse();
            });
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    StringBuilder content = new StringBuilder();
    for (JsonNode chunk : chunks.subList(1, 5)) {
      assertThat(chunk.at("/choices/0/finish_reason").isNull()).isTrue();
      assertThat(chunk.get("usage").isNull()).isTrue();
      content.append(chunk.at("/choices/0/delta/content").asText());
    }
    assertThat(content.toString()).isEqualTo(plain);
    JsonNode finish = chunks.get(5);
    assertThat(finish.at("/choices/0/delta").isEmpty()).isTrue();
    assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    JsonNode usage = chunks.get(6);
    assertThat(usage.get("choices").isEmpty()).isTrue();
    assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void chat_streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
    List<JsonNode> chunks =
        client.stream("/v1/chat/completions", CHAT + ",\"stream\":true}").json();

    assertThat(chunks).hasSize(6);
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.get("choices")).hasSize(1));
  }

  @Test
  void chat_prefersMaxCompletionTokensAndReportsEos() throws Exception {
    JsonNode limited =
        client.post("/v1/chat/completions", CHAT + ",\"max_completion_tokens\":2}").json();
    JsonNode natural =
        client.post("/v1/chat/completions", CHAT.replace("\"max_tokens\":4", "\"max_tokens\":999") + "}")
            .json();

    assertThat(limited.at("/usage/completion_tokens").asInt()).isEqualTo(2);
    assertThat(natural.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(natural.at("/choices/0/matched_stop").asInt()).isEqualTo(ToyTokenizer.EOS_TOKEN_ID);
  }

  @Test
  void chat_returnsLogprobsWhenAsked() throws Exception {
    JsonNode logprobs =
        client.post("/v1/chat/completions", CHAT + ",\"logprobs\":true,\"top_logprobs\":1}")
            .json()
            .at("/choices/0/logprobs/content");

    assertThat(logprobs).hasSize(4);
    JsonNode entry = logprobs.get(0);
    assertThat(entry.get("logprob").asDouble()).isGreaterThan(-5.0).isLessThanOrEqualTo(0.0);
    assertThat(entry.get("bytes")).hasSize(entry.get("token").asText().length());
    assertThat(entry.get("top_logprobs")).hasSize(1);
  }

  @Test
  void chat_secondTurnHitsTheCacheOfTheFirstTurnAndItsAnswer() throws Exception {
    JsonNode first = client.post("/v1/chat/completions", CHAT + "}").json();
    String answer = first.at("/choices/0/message/content").asText();
    String secondTurn =
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Hello there\"},"
            + "{\"role\":\"assistant\",\"content\":" + GenerateEndpointTest.quote(answer) + "},"
            + "{\"role\":\"user\",\"content\":\"And then?\"}],\"max_tokens\":2}";

    JsonNode second = client.post("/v1/chat/completions", secondTurn).json();

    int firstTokens = first.at("/usage/total_tokens").asInt();
    assertThat(second.at("/usage/prompt_tokens_details/cached_tokens").asInt())
        .isEqualTo(firstTokens);
  }

  @Test
  void chat_usesTheRidAsTheResponseId() throws Exception {
    JsonNode body = client.post("/v1/chat/completions", CHAT + ",\"rid\":\"my-rid\"}").json();

    assertThat(body.get("id").asText()).isEqualTo("my-rid");
  }

  @Test
  void completions_answerPlainAndStreamed() throws Exception {
    JsonNode plain = client.post("/v1/completions", "{\"prompt\":\"Once upon\"}").json();
    TestClient.Sse sse =
        client.stream("/v1/completions", "{\"prompt\":\"Once upon\",\"stream\":true}");

    assertThat(plain.get("id").asText()).startsWith("cmpl-");
    assertThat(plain.get("object").asText()).isEqualTo("text_completion");
    assertThat(plain.at("/usage/completion_tokens").asInt()).isEqualTo(16);
    List<JsonNode> chunks = sse.json();
    assertThat(sse.done()).isTrue();
    assertThat(chunks).hasSize(17);
    StringBuilder text = new StringBuilder();
    chunks.forEach(chunk -> text.append(chunk.at("/choices/0/text").asText()));
    assertThat(text.toString()).isEqualTo(plain.at("/choices/0/text").asText());
    assertThat(chunks.get(0).get("object").asText()).isEqualTo("text_completion");
    assertThat(chunks.get(16).at("/choices/0/finish_reason").asText()).isEqualTo("length");
  }

  @Test
  void completions_acceptTokenIdsAndReturnLegacyLogprobs() throws Exception {
    JsonNode body =
        client.post("/v1/completions", "{\"prompt\":[5,6,7],\"max_tokens\":3,\"logprobs\":2}")
            .json();

    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
    JsonNode logprobs = body.at("/choices/0/logprobs");
    assertThat(logprobs.get("tokens")).hasSize(3);
    assertThat(logprobs.get("token_logprobs")).hasSize(3);
    assertThat(logprobs.get("top_logprobs")).hasSize(3);
    assertThat(logprobs.get("text_offset").get(0).asInt()).isZero();
  }

  @Test
  void errors_useOpenAisNestedShape() throws Exception {
    TestClient.Reply noMessages = client.post("/v1/chat/completions", "{\"model\":\"m\"}");
    TestClient.Reply badTemperature =
        client.post("/v1/completions", "{\"prompt\":\"x\",\"temperature\":-0.5}");
    TestClient.Reply malformed = client.post("/v1/chat/completions", "nope");

    assertThat(noMessages.status()).isEqualTo(400);
    assertThat(noMessages.json())
        .isEqualTo(
            json(
                "{\"error\":{\"message\":\"messages must be a non-empty list.\","
                    + "\"type\":\"BadRequestError\",\"param\":\"messages\",\"code\":400}}"));
    assertThat(badTemperature.json().at("/error/param").asText()).isEqualTo("temperature");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().at("/error/code").asInt()).isEqualTo(400);
  }

  @Test
  void strictModelName_rejectsOtherModelsWith404() throws Exception {
    try (FakeWorker strict = FakeWorker.builder().model("served").strictModelName(true).start()) {
      TestClient other = new TestClient(strict);

      TestClient.Reply wrong =
          other.post("/v1/completions", "{\"model\":\"other\",\"prompt\":\"x\",\"max_tokens\":1}");
      TestClient.Reply right =
          other.post("/v1/completions", "{\"model\":\"served\",\"prompt\":\"x\",\"max_tokens\":1}");

      assertThat(wrong.status()).isEqualTo(404);
      assertThat(wrong.json().at("/error/message").asText())
          .isEqualTo("The model `other` does not exist.");
      assertThat(wrong.json().at("/error/type").asText()).isEqualTo("NotFoundError");
      assertThat(right.status()).isEqualTo(200);
      assertThat(right.json().get("model").asText()).isEqualTo("served");
    }
  }
}
