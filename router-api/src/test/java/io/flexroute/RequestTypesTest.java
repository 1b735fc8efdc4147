package io.flexroute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTypesTest {

  @Test
  void extraBody_refusesTheFieldsTheRouterReliesOn() {
    for (String name : List.of("rid", "model", "text", "input_ids", "prompt", "messages")) {
      assertThatThrownBy(() -> GenerateRequest.builder().extraBody(name, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + name + "'");
      assertThatThrownBy(() -> ChatRequest.builder().extraBody(name, "x"))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(GenerateRequest.builder().text("x").extraBody("lora_path", "a").build().extraBody())
        .containsEntry("lora_path", "a");
  }

  @Test
  void modelOutputNeverShowsInToString() {
    String secret = "the patient's name is Ada";
    ToolCall call = new ToolCall("c1", "lookup", "{\"q\":\"" + secret + "\"}");
    List<Object> values =
        List.of(
            new ChatCompletion.Choice(0, ChatMessage.assistant(secret), secret, null),
            new TextCompletion.Choice(0, secret, null),
            new ChatChunk.Delta(
                0, "assistant", secret, secret,
                List.of(new ChatChunk.ToolCallDelta(0, "c1", "lookup", secret)), null),
            new ChatChunk.ToolCallDelta(0, "c1", "lookup", secret),
            call,
            ChatMessage.assistantToolCalls(secret, List.of(call)));

    assertThat(values).allSatisfy(v -> assertThat(v.toString()).doesNotContain("Ada"));
    assertThat(new TextCompletion.Choice(0, secret, null).toString()).contains("chars=25");
  }

  @Test
  void generateRequest_textAndIdsAreExclusive() {
    GenerateRequest r =
        GenerateRequest.builder().text("hello").inputIds(TokenIds.of(1, 2)).build();
    assertThat(r.text()).isNull();
    assertThat(r.inputIds()).isEqualTo(TokenIds.of(1, 2));
    assertThat(r.promptTokenIds()).isEqualTo(TokenIds.of(1, 2));
  }

  @Test
  void toString_neverShowsPromptContent() {
    GenerateRequest g = GenerateRequest.ofText("secret prompt text");
    ChatRequest c = ChatRequest.builder().message(ChatMessage.user("secret chat")).build();
    assertThat(g.toString()).doesNotContain("secret").contains("textChars=18");
    assertThat(c.toString()).doesNotContain("secret");
    assertThat(ChatMessage.user("secret").toString()).doesNotContain("secret");
  }

  @Test
  void chatPromptText_concatenatesRolesAndContents() {
    ChatRequest c =
        ChatRequest.builder()
            .message(ChatMessage.system("sys"))
            .message(ChatMessage.user("hi"))
            .build();
    assertThat(c.promptText()).isEqualTo("system: sys\nuser: hi\n");
    assertThat(c.toBuilder().message(ChatMessage.assistant("yo")).build().promptText())
        .startsWith(c.promptText());
  }

  @Test
  void promptTextLength_isTheLengthOfThePromptTextWithoutBuildingIt() {
    ChatRequest c =
        ChatRequest.builder()
            .message(ChatMessage.system("sys"))
            .message(ChatMessage.user("hi é 中"))
            .message(
                ChatMessage.assistantToolCalls(
                    null, List.of(new ToolCall("c1", "search", "{\"q\":\"x\"}"))))
            .message(ChatMessage.assistantToolCalls("and", List.of(new ToolCall("c2", "f", ""))))
            .build();
    int computed = c.promptTextLength();
    assertThat(computed).isEqualTo(c.promptText().length());
    assertThat(c.promptTextLength()).isEqualTo(computed); // and again once the text is built
    assertThat(GenerateRequest.builder().text("abc").build().promptTextLength()).isEqualTo(3);
    assertThat(GenerateRequest.builder().inputIds(TokenIds.of(1, 2)).build().promptTextLength())
        .isZero();
  }

  @Test
  void extraBody_isDeepCopiedAndImmutable() {
    java.util.ArrayList<Object> list = new java.util.ArrayList<>(List.of(1, 2));
    GenerateRequest r = GenerateRequest.builder().text("x").extraBody("k", list).build();
    list.add(3);
    assertThat(r.extraBody().get("k")).isEqualTo(List.of(1, 2));
    assertThatThrownBy(() -> r.extraBody().put("z", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(
            () -> GenerateRequest.builder().extraBody("m", Map.of("bad", Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extraBody.m.bad");
  }

  @Test
  void samplingParams_crossFieldChecks() {
    assertThatThrownBy(() -> SamplingParams.builder().maxNewTokens(4).minNewTokens(8).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minNewTokens");
    assertThatThrownBy(() -> SamplingParams.builder().regex("a").ebnf("b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most one");
  }

  @Test
  void finishReason_mapsOpenAiStrings() {
    assertThat(FinishReason.of("stop").type()).isEqualTo(FinishReason.Type.STOP);
    assertThat(FinishReason.of("length").type()).isEqualTo(FinishReason.Type.LENGTH);
    assertThat(FinishReason.of("abort").isAbort()).isTrue();
    assertThat(FinishReason.of("tool_calls").type()).isEqualTo(FinishReason.Type.TOOL_CALLS);
    assertThat(FinishReason.of("weird").raw()).isEqualTo("weird");
  }

  @Test
  void workerException_retryability() {
    assertThat(status(503).isRetryable()).isTrue();
    assertThat(status(429).isRetryable()).isTrue();
    assertThat(status(408).isRetryable()).isTrue();
    assertThat(status(400).isRetryable()).isFalse();
    assertThat(status(404).isRetryable()).isFalse();
    WorkerException big =
        new WorkerException(
            "w", WorkerException.Kind.HTTP_STATUS, 500, "m", "x".repeat(10_000), null);
    assertThat(big.errorBody()).hasSizeLessThan(WorkerException.MAX_BODY_CHARS + 10);
  }

  private static WorkerException status(int code) {
    return new WorkerException("w", WorkerException.Kind.HTTP_STATUS, code, "m", null, null);
  }

  @Test
  void tokenIds_areImmutable() {
    int[] raw = {1, 2, 3};
    TokenIds ids = TokenIds.of(raw);
    raw[0] = 99;
    assertThat(ids.get(0)).isEqualTo(1);
    ids.toArray()[1] = 99;
    assertThat(ids.get(1)).isEqualTo(2);
    assertThat(ids.concat(TokenIds.of(4)).subList(2, 4)).isEqualTo(TokenIds.of(3, 4));
    assertThatThrownBy(() -> TokenIds.of(1, -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id 1");
  }

  @Test
  void tokenIds_commonPrefixLength_comparesRangesOfTwoSequences() {
    TokenIds a = TokenIds.of(5, 1, 2, 3, 4);
    TokenIds b = TokenIds.of(1, 2, 3, 9);
    assertThat(a.commonPrefixLength(1, b, 0, 4)).isEqualTo(3);
    assertThat(a.commonPrefixLength(1, b, 0, 2)).isEqualTo(2);
    assertThat(a.commonPrefixLength(4, b, 3, 4)).isZero();
    assertThat(a.commonPrefixLength(5, b, 0, 4)).isZero();
    assertThat(a.commonPrefixLength(1, b, 0, 4)).isEqualTo(a.commonPrefixLength(1, b.toArray(), 0, 4));
    assertThatThrownBy(() -> a.commonPrefixLength(0, b, 2, 5))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("[2, 5) of 4");
    assertThatThrownBy(() -> a.commonPrefixLength(6, b, 0, 1))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("from 6 of 5");
  }

  @Test
  void extraBody_keepsAMutableNumbersValue_andRefusesValuesThatContainThemselves() {
    java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong(1);
    GenerateRequest built = GenerateRequest.builder().text("t").extraBody("x", counter).build();
    counter.set(2); // the built request keeps the value it was given
    assertThat(built.extraBody().get("x")).isEqualTo(new java.math.BigDecimal("1"));
    java.util.concurrent.atomic.DoubleAdder nan = new java.util.concurrent.atomic.DoubleAdder();
    nan.add(Double.NaN);
    assertThatThrownBy(() -> GenerateRequest.builder().extraBody("x", nan))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
    java.util.Map<String, Object> loop = new java.util.HashMap<>();
    loop.put("self", loop);
    assertThatThrownBy(() -> GenerateRequest.builder().extraBody("x", loop))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contains itself");
    assertThat(
            GenerateRequest.builder().text("t")
                .extraBody("x", java.util.Map.of("n", new java.math.BigDecimal("1.5"), "l", 2L))
                .build().extraBody())
        .containsKey("x");
  }

  @Test
  void topLogprobsNum_turnsOnReturnLogprob() {
    assertThat(GenerateRequest.builder().text("t").topLogprobsNum(5).build().returnLogprob())
        .isTrue();
    assertThat(GenerateRequest.builder().text("t").topLogprobsNum(0).build().returnLogprob())
        .isFalse();
  }

  @Test
  void tokenIdsShowOnlyTheirCount() {
    // Ids decode straight back to text: they stay out of logs and messages like the text does.
    assertThat(TokenIds.of(151644, 872, 198).toString()).isEqualTo("TokenIds[3 tokens]");
  }
}
