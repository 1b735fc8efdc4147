package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.body;
import static io.flexroute.transport.http.TestSupport.done;
import static io.flexroute.transport.http.TestSupport.events;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.sse;
import static io.flexroute.transport.http.TestSupport.take;
import static io.flexroute.transport.http.TestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.FinishReason;
import io.flexroute.TextCompletion;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import io.flexroute.ToolCall;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.ChunkSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OpenAiTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();

  @AfterEach
  void closeTransport() {
    transport.close();
  }

  private Worker worker(ApiFlavor flavor) {
    return Worker.builder("w-" + flavor, server.url("/").toString()).flavor(flavor).build();
  }

  private static final String CHAT_RESULT =
      """
      {"id":"chatcmpl-1","object":"chat.completion","created":1754000000,"model":"qwen3",
       "choices":[{"index":0,
         "message":{"role":"assistant","content":"Seven.","reasoning_content":"think",
                    "tool_calls":[]},
         "logprobs":null,"finish_reason":"stop","matched_stop":151645}],
       "usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
                "prompt_tokens_details":{"cached_tokens":8}},
       "metadata":{"weight_version":"v9"},
       "sglext":{"routed_experts":null}}
      """;

  private static ChatRequest fullChat() {
    return ChatRequest.builder()
        .model("qwen3")
        .message(ChatMessage.system("You are terse."))
        .message(new ChatMessage("user", "Name a prime.", "alice", null, List.of()))
        .message(
            ChatMessage.assistantToolCalls(
                null, List.of(new ToolCall("call_1", "lookup", "{\"q\":\"primes\"}"))))
        .message(ChatMessage.tool("call_1", "2, 3, 5, 7"))
        .tool(
            Map.of(
                "type", "function",
                "function", Map.of("name", "lookup", "parameters", Map.of("type", "object"))))
        .maxTokens(64)
        .temperature(0.5)
        .topP(0.9)
        .n(2)
        .stop("END")
        .seed(7)
        .presencePenalty(0.1)
        .frequencyPenalty(0.2)
        .topLogprobs(3)
        .extraBody("chat_template_kwargs", Map.of("enable_thinking", false))
        .build();
  }

  private static final String CHAT_BODY_COMMON =
      """
      "model":"qwen3",
      "messages":[
        {"role":"system","content":"You are terse."},
        {"role":"user","content":"Name a prime.","name":"alice"},
        {"role":"assistant","tool_calls":[{"id":"call_1","type":"function",
          "function":{"name":"lookup","arguments":"{\\"q\\":\\"primes\\"}"}}]},
        {"role":"tool","content":"2, 3, 5, 7","tool_call_id":"call_1"}],
      "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}],
      "max_tokens":64,"temperature":0.5,"top_p":0.9,"n":2,"stop":["END"],"seed":7,
      "presence_penalty":0.1,"frequency_penalty":0.2,"logprobs":true,"top_logprobs":3,
      "chat_template_kwargs":{"enable_thinking":false}
      """;

  @Test
  void chat_sglangBodyCarriesRid() throws Exception {
    server.enqueue(json(CHAT_RESULT));

    await(transport.chat(worker(ApiFlavor.SGLANG), fullChat(), FakeCallContext.of("req-9")));

    RecordedRequest recorded = take(server);
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(body(recorded))
        .isEqualTo(tree("{" + CHAT_BODY_COMMON + ",\"stream\":false,\"rid\":\"req-9\"}"));
  }

  @Test
  void chat_vllmBodyCarriesRequestId() throws Exception {
    server.enqueue(json(CHAT_RESULT));

    await(transport.chat(worker(ApiFlavor.VLLM), fullChat(), FakeCallContext.of("req-9")));

    assertThat(body(take(server)))
        .isEqualTo(tree("{" + CHAT_BODY_COMMON + ",\"stream\":false,\"request_id\":\"req-9\"}"));
  }

  @Test
  void chat_openAiBodyHasNoEngineId() throws Exception {
    server.enqueue(json(CHAT_RESULT));

    await(transport.chat(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("req-9")));

    RecordedRequest recorded = take(server);
    assertThat(body(recorded)).isEqualTo(tree("{" + CHAT_BODY_COMMON + ",\"stream\":false}"));
    assertThat(recorded.getHeaders().get("X-Request-Id")).isEqualTo("req-9");
  }

  @Test
  void chat_minimalBodyLeavesUnsetFieldsOut() throws Exception {
    server.enqueue(json(CHAT_RESULT));

    await(
        transport.chat(
            worker(ApiFlavor.OPENAI),
            ChatRequest.builder().message(ChatMessage.user("hi")).build(),
            FakeCallContext.of("r")));

    assertThat(body(take(server)))
        .isEqualTo(tree("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}"));
  }

  @Test
  void chat_parsesCompletion() {
    server.enqueue(json(CHAT_RESULT));

    ChatCompletion result =
        await(transport.chat(worker(ApiFlavor.SGLANG), fullChat(), FakeCallContext.of("req-9")));

    assertThat(result.id()).isEqualTo("chatcmpl-1");
    assertThat(result.requestId()).isEqualTo("req-9");
    assertThat(result.workerId()).isEqualTo("w-SGLANG");
    assertThat(result.model()).isEqualTo("qwen3");
    assertThat(result.content()).isEqualTo("Seven.");
    ChatCompletion.Choice choice = result.choices().get(0);
    assertThat(choice.message().role()).isEqualTo("assistant");
    assertThat(choice.reasoningContent()).isEqualTo("think");
    assertThat(choice.finishReason())
        .isEqualTo(new FinishReason(FinishReason.Type.STOP, "stop", 151645, null, null));
    assertThat(result.usage()).isEqualTo(new TokenUsage(12, 5, 8));
    assertThat(result.weightVersion()).isEqualTo("v9");
  }

  @Test
  void chat_parsesToolCallsAndVllmReasoning() {
    server.enqueue(
        json(
            """
            {"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":null,
              "reasoning":"let me look",
              "tool_calls":[{"id":"call_7","type":"function",
                "function":{"name":"lookup","arguments":"{\\"q\\":1}"}},
                {"id":"call_8","type":"function","function":{"name":"obj","arguments":{"a":1}}}]},
              "finish_reason":"tool_calls","stop_reason":null}],
             "usage":{"prompt_tokens":3,"completion_tokens":4}}
            """));

    ChatCompletion result =
        await(transport.chat(worker(ApiFlavor.VLLM), fullChat(), FakeCallContext.of("r")));

    ChatCompletion.Choice choice = result.choices().get(0);
    assertThat(choice.message().content()).isNull();
    assertThat(choice.message().toolCalls())
        .containsExactly(
            new ToolCall("call_7", "lookup", "{\"q\":1}"), new ToolCall("call_8", "obj", "{\"a\":1}"));
    assertThat(choice.reasoningContent()).isEqualTo("let me look");
    assertThat(choice.finishReason().type()).isEqualTo(FinishReason.Type.TOOL_CALLS);
    assertThat(result.usage()).isEqualTo(new TokenUsage(3, 4, 0));
    assertThat(result.weightVersion()).isNull();
  }

  @Test
  void chat_emptyAnswerGetsEmptyContentAndNoChoicesIsFine() {
    server.enqueue(
        json("{\"id\":\"c\",\"choices\":[{\"message\":{\"content\":null},\"finish_reason\":\"length\"}]}"));
    ChatCompletion empty =
        await(transport.chat(worker(ApiFlavor.VLLM), fullChat(), FakeCallContext.of("r")));
    assertThat(empty.content()).isEmpty();
    assertThat(empty.choices().get(0).message().role()).isEqualTo("assistant");
    assertThat(empty.usage()).isNull();

    server.enqueue(json("{}"));
    ChatCompletion none =
        await(transport.chat(worker(ApiFlavor.VLLM), fullChat(), FakeCallContext.of("r")));
    assertThat(none.id()).isEmpty();
    assertThat(none.choices()).isEmpty();
    assertThat(none.content()).isNull();
  }

  @Test
  void complete_bodyWithTextOrTokenPrompt() throws Exception {
    server.enqueue(json("{\"id\":\"cmpl\",\"choices\":[]}"));
    server.enqueue(json("{\"id\":\"cmpl\",\"choices\":[]}"));

    await(
        transport.complete(
            worker(ApiFlavor.VLLM),
            CompletionRequest.builder()
                .model("m")
                .prompt("Once")
                .maxTokens(8)
                .logprobs(2)
                .extraBody("top_k", 5)
                .build(),
            FakeCallContext.of("r1")));
    await(
        transport.complete(
            worker(ApiFlavor.SGLANG),
            CompletionRequest.builder().promptIds(TokenIds.of(1, 2, 3)).build(),
            FakeCallContext.of("r2")));

    RecordedRequest first = take(server);
    assertThat(first.getUrl().encodedPath()).isEqualTo("/v1/completions");
    assertThat(body(first))
        .isEqualTo(
            tree(
                "{\"model\":\"m\",\"prompt\":\"Once\",\"max_tokens\":8,\"logprobs\":2,"
                    + "\"stream\":false,\"request_id\":\"r1\",\"top_k\":5}"));
    assertThat(body(take(server)))
        .isEqualTo(tree("{\"prompt\":[1,2,3],\"stream\":false,\"rid\":\"r2\"}"));
  }

  @Test
  void complete_parsesChoices() {
    server.enqueue(
        json(
            """
            {"id":"cmpl-1","object":"text_completion","model":"m",
             "choices":[{"index":0,"text":" upon","logprobs":null,"finish_reason":"length",
                         "stop_reason":null},
                        {"index":1,"text":" a time","finish_reason":"stop","stop_reason":"END"}],
             "usage":{"prompt_tokens":1,"completion_tokens":3,"prompt_tokens_details":null},
             "metadata":{"weight_version":"w2"}}
            """));

    TextCompletion result =
        await(
            transport.complete(
                worker(ApiFlavor.SGLANG),
                CompletionRequest.builder().prompt("Once").build(),
                FakeCallContext.of("r")));

    assertThat(result.text()).isEqualTo(" upon");
    assertThat(result.choices()).extracting(TextCompletion.Choice::index).containsExactly(0, 1);
    assertThat(result.choices().get(0).finishReason().type()).isEqualTo(FinishReason.Type.LENGTH);
    assertThat(result.choices().get(1).finishReason().matchedText()).isEqualTo("END");
    assertThat(result.usage()).isEqualTo(new TokenUsage(1, 3, 0));
    assertThat(result.weightVersion()).isEqualTo("w2");
  }

  // ---------------------------------------------------------------- streaming

  private static <T> List<T> drain(ChunkSource<T> source) {
    List<T> chunks = new ArrayList<>();
    try (source) {
      T c;
      while ((c = source.next()) != null) {
        chunks.add(c);
      }
    }
    return chunks;
  }

  @Test
  void chatStream_asksForUsageAndParsesDeltasUsageChunkAndDone() throws Exception {
    server.enqueue(
        sse(
            events(
                    "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":"
                        + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"finish_reason\":null}],\"usage\":null}",
                    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"reasoning_content\":\"hmm\"},\"finish_reason\":null}]}",
                    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                        + "\"finish_reason\":null}]}",
                    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
                        + "[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"f\",\"arguments\":\"{\\\"a\\\"\"}}]},\"finish_reason\":null}]}",
                    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
                        + "[{\"index\":0,\"function\":{\"arguments\":\":1}\"}}]},"
                        + "\"finish_reason\":null}]}",
                    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},"
                        + "\"finish_reason\":\"tool_calls\",\"matched_stop\":null}]}",
                    "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
                        + "\"completion_tokens\":6,\"total_tokens\":11}}")
                + done()));

    List<ChatChunk> chunks =
        drain(transport.chatStream(worker(ApiFlavor.SGLANG), fullChat(), FakeCallContext.of("r")));

    assertThat(body(take(server)).get("stream_options")).isEqualTo(tree("{\"include_usage\":true}"));
    assertThat(chunks).hasSize(7);
    assertThat(chunks.get(0).deltas().get(0).role()).isEqualTo("assistant");
    assertThat(chunks.get(1).deltas().get(0).reasoningContent()).isEqualTo("hmm");
    assertThat(chunks.get(2).content()).isEqualTo("Hi");
    assertThat(chunks.get(3).deltas().get(0).toolCalls())
        .containsExactly(new ChatChunk.ToolCallDelta(0, "call_1", "f", "{\"a\""));
    assertThat(chunks.get(4).deltas().get(0).toolCalls())
        .containsExactly(new ChatChunk.ToolCallDelta(0, null, null, ":1}"));
    assertThat(chunks.get(5).deltas().get(0).finishReason().type())
        .isEqualTo(FinishReason.Type.TOOL_CALLS);
    ChatChunk usage = chunks.get(6);
    assertThat(usage.deltas()).isEmpty();
    assertThat(usage.content()).isEmpty();
    assertThat(usage.usage()).isEqualTo(new TokenUsage(5, 6, 0));
    assertThat(chunks).allMatch(c -> c.id().equals("c1") && c.requestId().equals("r"));
  }

  @Test
  void chatStream_withoutIncludeUsageSendsNoStreamOptions() throws Exception {
    server.enqueue(
        sse(events("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}") + done()));

    drain(
        transport.chatStream(
            worker(ApiFlavor.VLLM),
            ChatRequest.builder().message(ChatMessage.user("x")).includeUsage(false).build(),
            FakeCallContext.of("r")));

    RecordedRequest recorded = take(server);
    assertThat(body(recorded))
        .isEqualTo(
            tree(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true,"
                    + "\"request_id\":\"r\"}"));
  }

  @Test
  void chatStream_vllmReasoningFieldAndInterleavedChoices() {
    server.enqueue(
        sse(
            events(
                    "{\"id\":\"c\",\"choices\":[{\"index\":1,\"delta\":{\"reasoning\":\"r1\"}},"
                        + "{\"index\":0,\"delta\":{\"content\":\"c0\"}}]}",
                    "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"},"
                        + "{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}")
                + done()));

    List<ChatChunk> chunks =
        drain(transport.chatStream(worker(ApiFlavor.VLLM), fullChat(), FakeCallContext.of("r")));

    assertThat(chunks.get(0).deltas().get(0).index()).isEqualTo(1);
    assertThat(chunks.get(0).deltas().get(0).reasoningContent()).isEqualTo("r1");
    assertThat(chunks.get(0).content()).isEqualTo("c0");
  }

  @Test
  void chatStream_errorEventIsStreamError() {
    server.enqueue(
        sse(
            events(
                    "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
                    "{\"error\":{\"object\":\"error\",\"message\":\"The request queue is full.\","
                        + "\"type\":\"ServiceUnavailable\",\"code\":503}}")
                + done()));
    ChunkSource<ChatChunk> source =
        transport.chatStream(worker(ApiFlavor.SGLANG), fullChat(), FakeCallContext.of("r"));

    assertThat(source.next().content()).isEqualTo("a");
    assertThatThrownBy(source::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
              assertThat(e.getMessage()).contains("The request queue is full.").contains("503");
              assertThat(e.errorBody()).contains("ServiceUnavailable");
            });
    source.close();
  }

  @Test
  void chatStream_errorEventsCarryTheStatusTheyReport_soOverloadIsRetryable() {
    String[][] cases = {
      // vLLM's and SGLang's nested error object: the status is its code.
      {"{\"error\":{\"message\":\"queue full\",\"type\":\"ServiceUnavailableError\","
          + "\"code\":503}}", "503"},
      // SGLang's flat form, with the status as its type.
      {"{\"object\":\"error\",\"message\":\"busy\",\"type\":\"503\",\"param\":null}", "503"},
      {"{\"object\":\"error\",\"message\":\"bad\",\"type\":\"Bad Request\",\"code\":400}",
          "400"},
      // Anthropic's error types.
      {"{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
          "529"},
      // A code that is not a status says nothing about one: the stream's own 200.
      {"{\"error\":{\"message\":\"no such model\",\"code\":\"model_not_found\"}}", "200"},
      {"{\"error\":{\"message\":\"odd\",\"code\":99999999999}}", "200"},
    };
    for (String[] c : cases) {
      server.enqueue(sse(events(c[0]) + done()));
      ChunkSource<ChatChunk> source =
          transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r"));
      int status = Integer.parseInt(c[1]);
      assertThatThrownBy(source::next)
          .as(c[0])
          .isInstanceOfSatisfying(
              WorkerException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
                assertThat(e.statusCode()).isEqualTo(status);
                assertThat(e.isRetryable()).isEqualTo(status >= 500);
                assertThat(e.isWorkerFault()).isEqualTo(status >= 500);
              });
      source.close();
    }
  }

  @Test
  void chatStream_flatErrorAndErrorEventNameAreStreamErrors() {
    server.enqueue(sse(events("{\"object\":\"error\",\"message\":\"flat\",\"code\":400}") + done()));
    ChunkSource<ChatChunk> flat =
        transport.chatStream(worker(ApiFlavor.SGLANG), fullChat(), FakeCallContext.of("r"));
    assertThatThrownBy(flat::next).isInstanceOf(WorkerException.class).hasMessageContaining("flat");
    flat.close();

    server.enqueue(sse("event: error\ndata: engine died\n\n"));
    ChunkSource<ChatChunk> named =
        transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r"));
    assertThatThrownBy(named::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
              assertThat(e.getMessage()).contains("engine died");
            });
    named.close();
  }

  @Test
  void chatStream_eofAfterFinishWithoutDoneIsNormal() {
    server.enqueue(
        sse(events("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},"
            + "\"finish_reason\":\"stop\"}]}")));

    List<ChatChunk> chunks =
        drain(transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r")));

    assertThat(chunks).hasSize(1);
  }

  @Test
  void chatStream_eofWithoutFinishIsMalformed() {
    server.enqueue(sse(events("{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")));
    ChunkSource<ChatChunk> source =
        transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r"));

    assertThat(source.next()).isNotNull();
    assertThatThrownBy(source::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
              assertThat(e.isRetryable()).isTrue();
            });
    source.close();
  }

  @Test
  void chatStream_doneWithoutFinishEndsNormally() {
    server.enqueue(sse(events("{\"id\":\"c\",\"choices\":[]}") + done() + "data: ignored\n\n"));

    List<ChatChunk> chunks =
        drain(transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r")));

    assertThat(chunks).hasSize(1);
  }

  @Test
  void chatStream_jsonAnswerInsteadOfStreamIsReported() {
    server.enqueue(json("{\"error\":{\"message\":\"streaming is off\",\"code\":400}}"));
    assertThatThrownBy(
            () -> transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r")))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
              assertThat(e.getMessage()).contains("streaming is off");
            });

    server.enqueue(json(CHAT_RESULT));
    assertThatThrownBy(
            () -> transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r")))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE));
  }

  @Test
  void chatStream_readsThrottledBodyWithCrLfCommentsAndMultiLineData() {
    String body =
        ": keep-alive\r\n\r\n"
            + "event: message\r\nid: 1\r\n"
            + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\r\n"
            + "data:  \"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n"
            + ":comment between events\n"
            + "data:{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \u00e9\u4e2d\"},"
            + "\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]";
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "text/event-stream; charset=utf-8")
            .body(body)
            .throttleBody(3, 1, TimeUnit.MILLISECONDS)
            .build());

    List<ChatChunk> chunks =
        drain(transport.chatStream(worker(ApiFlavor.OPENAI), fullChat(), FakeCallContext.of("r")));

    assertThat(chunks).extracting(ChatChunk::content).containsExactly("Hel", "lo \u00e9\u4e2d");
  }

  @ParameterizedTest
  @EnumSource(ApiFlavor.class)
  void completeStream_parsesTextDeltasAndUsage(ApiFlavor flavor) throws Exception {
    server.enqueue(
        sse(
            events(
                    "{\"id\":\"x\",\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\"Once\","
                        + "\"finish_reason\":null}]}",
                    "{\"id\":\"x\",\"choices\":[{\"index\":0,\"text\":\" upon\","
                        + "\"finish_reason\":\"length\"}]}",
                    "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":2,"
                        + "\"completion_tokens\":2,\"prompt_tokens_details\":"
                        + "{\"cached_tokens\":1}}}")
                + done()));

    List<CompletionChunk> chunks =
        drain(
            transport.completeStream(
                worker(flavor),
                CompletionRequest.builder().prompt("p").build(),
                FakeCallContext.of("r")));

    assertThat(chunks).extracting(CompletionChunk::text).containsExactly("Once", " upon", "");
    assertThat(chunks.get(1).choices().get(0).finishReason().type())
        .isEqualTo(FinishReason.Type.LENGTH);
    assertThat(chunks.get(2).usage()).isEqualTo(new TokenUsage(2, 2, 1));
    assertThat(chunks.get(0).model()).isEqualTo("m");
    RecordedRequest recorded = take(server);
    assertThat(body(recorded).get("stream").booleanValue()).isTrue();
    assertThat(body(recorded).has("rid")).isEqualTo(flavor == ApiFlavor.SGLANG);
    assertThat(body(recorded).has("request_id")).isEqualTo(flavor == ApiFlavor.VLLM);
  }

  @Test
  void completeStream_wrongTypeInChunkIsMalformed() {
    server.enqueue(sse(events("{\"choices\":[{\"index\":0,\"text\":7}]}") + done()));
    ChunkSource<CompletionChunk> source =
        transport.completeStream(
            worker(ApiFlavor.OPENAI),
            CompletionRequest.builder().prompt("p").build(),
            FakeCallContext.of("r"));

    assertThatThrownBy(source::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
              assertThat(e.getMessage()).contains("$.choices[0].text must be a string");
            });
    source.close();
  }
}
