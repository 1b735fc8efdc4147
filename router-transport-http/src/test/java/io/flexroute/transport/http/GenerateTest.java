package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.body;
import static io.flexroute.transport.http.TestSupport.done;
import static io.flexroute.transport.http.TestSupport.events;
import static io.flexroute.transport.http.TestSupport.failure;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.sse;
import static io.flexroute.transport.http.TestSupport.take;
import static io.flexroute.transport.http.TestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.FinishReason;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestRejectedException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.ChunkSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GenerateTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();

  @AfterEach
  void closeTransport() {
    transport.close();
  }

  private Worker worker() {
    return Worker.of("w1", server.url("/").toString());
  }

  private static final String RESULT =
      """
      {"text":" Paris.","output_ids":[12366,13],
       "meta_info":{"id":"req-1","finish_reason":{"type":"stop","matched":151645},
         "prompt_tokens":7,"completion_tokens":2,"cached_tokens":5,"weight_version":"v3",
         "e2e_latency":0.12,"output_token_logprobs":[[-0.5,12366,null],[null,13,"."]],
         "some_future_field":{"x":[1,2]}},
       "another_unknown":true}
      """;

  @Test
  void generate_sendsOnlySetSamplingFieldsWithSnakeCaseNames() throws Exception {
    server.enqueue(json(RESULT));
    SamplingParams sampling =
        SamplingParams.builder()
            .maxNewTokens(64)
            .minNewTokens(1)
            .temperature(0.7)
            .topP(0.9)
            .topK(20)
            .minP(0.05)
            .frequencyPenalty(0.1)
            .presencePenalty(-0.2)
            .repetitionPenalty(1.1)
            .stop("\n\n", "END")
            .stopTokenIds(TokenIds.of(2, 3))
            .ignoreEos(false)
            .skipSpecialTokens(true)
            .n(1)
            .seed(42)
            .regex("[a-z]+")
            .build();
    GenerateRequest request =
        GenerateRequest.builder()
            .text("The capital of France is")
            .sampling(sampling)
            .logprobStartLen(3)
            .topLogprobsNum(2)
            .extraBody("lora_path", "adapter-a")
            .extraBody("sampling_params", Map.of("no_stop_trim", true))
            .extraBody("stream", true)
            .build();

    await(transport.generate(worker(), request, FakeCallContext.of("req-1")));

    RecordedRequest recorded = take(server);
    assertThat(recorded.getMethod()).isEqualTo("POST");
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/generate");
    assertThat(body(recorded))
        .isEqualTo(
            tree(
                """
                {"text":"The capital of France is",
                 "sampling_params":{"max_new_tokens":64,"min_new_tokens":1,"temperature":0.7,
                   "top_p":0.9,"top_k":20,"min_p":0.05,"frequency_penalty":0.1,
                   "presence_penalty":-0.2,"repetition_penalty":1.1,"stop":["\\n\\n","END"],
                   "stop_token_ids":[2,3],"ignore_eos":false,"skip_special_tokens":true,"n":1,
                   "sampling_seed":42,"regex":"[a-z]+","no_stop_trim":true},
                 "rid":"req-1","return_logprob":true,"logprob_start_len":3,"top_logprobs_num":2,
                 "stream":false,"lora_path":"adapter-a"}
                """));
  }

  @Test
  void generate_sendsInputIdsAndEmptySamplingWhenNothingIsSet() throws Exception {
    server.enqueue(json(RESULT));
    GenerateRequest request =
        GenerateRequest.builder()
            .inputIds(TokenIds.of(151644, 872, 198))
            .sampling(SamplingParams.builder().jsonSchema("{\"type\":\"object\"}").build())
            .build();

    await(transport.generate(worker(), request, FakeCallContext.of("r-2")));

    assertThat(body(take(server)))
        .isEqualTo(
            tree(
                """
                {"input_ids":[151644,872,198],
                 "sampling_params":{"json_schema":"{\\"type\\":\\"object\\"}"},
                 "rid":"r-2","stream":false}
                """));
  }

  @Test
  void generate_parsesResultAndToleratesUnknownFields() {
    server.enqueue(json(RESULT));

    GenerateResult result =
        await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("req-1")));

    assertThat(result.requestId()).isEqualTo("req-1");
    assertThat(result.workerId()).isEqualTo("w1");
    assertThat(result.text()).isEqualTo(" Paris.");
    assertThat(result.outputIds()).isEqualTo(TokenIds.of(12366, 13));
    assertThat(result.finishReason())
        .isEqualTo(new FinishReason(FinishReason.Type.STOP, "stop", 151645, null, null));
    assertThat(result.usage()).isEqualTo(new TokenUsage(7, 2, 5));
    assertThat(result.weightVersion()).isEqualTo("v3");
    assertThat(result.outputLogprobs().size()).isEqualTo(2);
    assertThat(result.outputLogprobs().get(0)).isEqualTo(-0.5);
    assertThat(result.outputLogprobs().get(1)).isNaN();
  }

  @Test
  void generate_usesDefaultsForMissingFields() {
    server.enqueue(json("{\"meta_info\":{\"finish_reason\":{\"type\":\"length\",\"length\":4}}}"));

    GenerateResult result =
        await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(result.text()).isNull();
    assertThat(result.outputIds()).isEqualTo(TokenIds.empty());
    assertThat(result.outputLogprobs()).isEqualTo(TokenLogprobs.empty());
    assertThat(result.finishReason().type()).isEqualTo(FinishReason.Type.LENGTH);
    assertThat(result.usage()).isEqualTo(TokenUsage.ZERO);
    assertThat(result.weightVersion()).isNull();

    server.enqueue(json("{}"));
    GenerateResult bare =
        await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));
    assertThat(bare.finishReason().type()).isEqualTo(FinishReason.Type.OTHER);
  }

  @Test
  void generate_mapsAbortFinishReasonWithMessage() {
    server.enqueue(
        json(
            """
            {"text":"par","output_ids":[1],"meta_info":{"finish_reason":
              {"type":"abort","message":"Abort before prefill","status_code":503,"err_type":null}}}
            """));

    GenerateResult result =
        await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(result.finishReason().isAbort()).isTrue();
    assertThat(result.finishReason().message()).isEqualTo("Abort before prefill");
    assertThat(result.finishReason().raw()).isEqualTo("abort");
  }

  @Test
  void generate_matchedStopStringIsKept() {
    server.enqueue(
        json("{\"text\":\"a\",\"meta_info\":{\"finish_reason\":{\"type\":\"stop\",\"matched\":\"END\"}}}"));

    GenerateResult result =
        await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(result.finishReason().matchedText()).isEqualTo("END");
    assertThat(result.finishReason().matchedTokenId()).isNull();
  }

  @Test
  void generate_rejectsNGreaterThanOneBeforeSending() {
    GenerateRequest request =
        GenerateRequest.builder()
            .text("hi")
            .sampling(SamplingParams.builder().n(4).build())
            .build();

    Throwable t = failure(transport.generate(worker(), request, FakeCallContext.of("r")));

    assertThat(t).isInstanceOf(RequestRejectedException.class).hasMessageContaining("n was 4");
    assertThat(((RequestRejectedException) t).reason())
        .isEqualTo(RequestRejectedException.Reason.UNSUPPORTED);
    assertThatThrownBy(() -> transport.generateStream(worker(), request, FakeCallContext.of("r")))
        .isInstanceOf(RequestRejectedException.class);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void generate_rejectsNGreaterThanOneGivenThroughExtraBody() {
    GenerateRequest request =
        GenerateRequest.builder()
            .text("hi")
            .extraBody("sampling_params", Map.of("n", 2, "min_p", 0.1))
            .build();

    assertThat(failure(transport.generate(worker(), request, FakeCallContext.of("r"))))
        .isInstanceOf(RequestRejectedException.class)
        .hasMessageContaining("n was 2");
    assertThatThrownBy(() -> transport.generateStream(worker(), request, FakeCallContext.of("r")))
        .isInstanceOf(RequestRejectedException.class);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void generate_rejectsWorkersThatDoNotSpeakSglang() {
    Worker vllm =
        Worker.builder("v", server.url("/").toString()).flavor(ApiFlavor.VLLM).build();

    Throwable t =
        failure(transport.generate(vllm, GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(t).isInstanceOf(RequestRejectedException.class).hasMessageContaining("VLLM");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void generate_arrayAnswerIsMalformed() {
    server.enqueue(json("[" + RESULT + "," + RESULT + "]"));

    Throwable t =
        failure(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

    assertThat(t).isInstanceOf(WorkerException.class).hasMessageContaining("array of 2");
    assertThat(((WorkerException) t).kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
  }

  @Test
  void generate_wrongFieldTypesAreMalformedNotNullPointers() {
    for (String bad :
        List.of(
            "{\"text\":5}",
            "{\"output_ids\":\"abc\"}",
            "{\"output_ids\":[1,-2]}",
            "{\"meta_info\":[]}",
            "{\"meta_info\":{\"prompt_tokens\":\"7\"}}",
            "{\"meta_info\":{\"prompt_tokens\":-1}}",
            "{\"meta_info\":{\"finish_reason\":5}}",
            "{\"meta_info\":{\"output_token_logprobs\":[5]}}",
            "\"just a string\"",
            "{\"text\":\"a\"} trailing")) {
      server.enqueue(json(bad));
      Throwable t =
          failure(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));
      assertThat(t).as(bad).isInstanceOf(WorkerException.class);
      assertThat(((WorkerException) t).kind())
          .as(bad)
          .isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
    }
  }

  // ---------------------------------------------------------------- streaming

  private static String chunk(String text, String ids, int completionTokens, String finish) {
    return "{\"text\":\"" + text + "\",\"output_ids\":" + ids + ",\"meta_info\":{\"id\":\"r\","
        + "\"finish_reason\":" + finish + ",\"prompt_tokens\":4,\"completion_tokens\":"
        + completionTokens + ",\"cached_tokens\":1,\"weight_version\":\"v7\"}}";
  }

  private static final String STOP = "{\"type\":\"stop\",\"matched\":2}";

  private List<GenerateChunk> drain(ChunkSource<GenerateChunk> source) {
    List<GenerateChunk> chunks = new ArrayList<>();
    try (source) {
      GenerateChunk c;
      while ((c = source.next()) != null) {
        chunks.add(c);
      }
    }
    return chunks;
  }

  private List<GenerateChunk> stream(String body) {
    server.enqueue(sse(body));
    return drain(
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));
  }

  @Test
  void generateStream_sendsStreamTrue() throws Exception {
    stream(events(chunk("a", "[5]", 1, STOP)) + done());

    RecordedRequest recorded = take(server);
    assertThat(body(recorded).get("stream").booleanValue()).isTrue();
    assertThat(recorded.getHeaders().get("Accept")).isEqualTo("text/event-stream");
  }

  @Test
  void generateStream_turnsCumulativeChunksIntoDeltas() {
    List<GenerateChunk> chunks =
        stream(
            events(
                    chunk("Hel", "[5]", 1, "null"),
                    chunk("Hello", "[5,6]", 2, "null"),
                    chunk("Hello", "[5,6]", 2, "null"),
                    chunk("Hello wor", "[5,6,7,8]", 4, "null"),
                    chunk("Hello world", "[5,6,7,8,2]", 5, STOP))
                + done());

    assertThat(chunks).extracting(GenerateChunk::textDelta)
        .containsExactly("Hel", "lo", "", " wor", "ld");
    assertThat(chunks).extracting(GenerateChunk::newOutputIds)
        .containsExactly(
            TokenIds.of(5), TokenIds.of(6), TokenIds.empty(), TokenIds.of(7, 8), TokenIds.of(2));
    assertThat(chunks).extracting(GenerateChunk::completionTokens).containsExactly(1, 2, 2, 4, 5);
    assertThat(chunks.subList(0, 4)).allMatch(c -> c.finishReason() == null && c.usage() == null);
    GenerateChunk last = chunks.get(4);
    assertThat(last.isLast()).isTrue();
    assertThat(last.finishReason().matchedTokenId()).isEqualTo(2);
    assertThat(last.usage()).isEqualTo(new TokenUsage(4, 5, 1));
    assertThat(last.weightVersion()).isEqualTo("v7");
    assertThat(last.requestId()).isEqualTo("r");
    assertThat(last.workerId()).isEqualTo("w1");
  }

  @Test
  void generateStream_detectsIncrementalMode() {
    // --incremental-streaming-output: text, ids and logprobs are deltas. The second chunk repeats
    // the first id, which completion_tokens still tells apart from a cumulative list; once the text
    // is known to be deltas, a delta that repeats earlier text is kept as it is.
    List<GenerateChunk> chunks =
        stream(
            events(
                    "{\"text\":\"ab\",\"output_ids\":[5],\"meta_info\":{\"completion_tokens\":1,"
                        + "\"output_token_logprobs\":[[-1.0,5,null]]}}",
                    "{\"text\":\"cd\",\"output_ids\":[5],\"meta_info\":{\"completion_tokens\":2,"
                        + "\"output_token_logprobs\":[[-2.0,5,null]]}}",
                    "{\"text\":\"ab\",\"output_ids\":[7,8],\"meta_info\":{\"completion_tokens\":4,"
                        + "\"output_token_logprobs\":[[-3.0,7,null],[-4.0,8,null]]}}",
                    "{\"text\":\"\",\"output_ids\":[],\"meta_info\":{\"completion_tokens\":4,"
                        + "\"finish_reason\":{\"type\":\"length\",\"length\":4},"
                        + "\"prompt_tokens\":3}}")
                + done());

    assertThat(chunks).extracting(GenerateChunk::newOutputIds)
        .containsExactly(TokenIds.of(5), TokenIds.of(5), TokenIds.of(7, 8), TokenIds.empty());
    assertThat(chunks).extracting(GenerateChunk::newLogprobs)
        .containsExactly(
            TokenLogprobs.of(-1.0), TokenLogprobs.of(-2.0), TokenLogprobs.of(-3.0, -4.0),
            TokenLogprobs.empty());
    assertThat(chunks).extracting(GenerateChunk::textDelta).containsExactly("ab", "cd", "ab", "");
    assertThat(chunks).extracting(GenerateChunk::completionTokens).containsExactly(1, 2, 4, 4);
    assertThat(chunks.get(3).usage()).isEqualTo(new TokenUsage(3, 4, 0));
  }

  @Test
  void generateStream_detectsIncrementalTextWithoutIds() {
    List<GenerateChunk> chunks =
        stream(
            events(
                    "{\"text\":\"Hello\",\"meta_info\":{}}",
                    "{\"text\":\" world\",\"meta_info\":{}}",
                    "{\"text\":\"!\",\"meta_info\":{\"finish_reason\":{\"type\":\"stop\"}}}")
                + done());

    assertThat(chunks).extracting(GenerateChunk::textDelta)
        .containsExactly("Hello", " world", "!");
    assertThat(chunks).allMatch(c -> c.newOutputIds().isEmpty());
  }

  @Test
  void generateStream_handlesIncrementalIdsWithCumulativeText() {
    // Older --stream-output: ids are deltas, text stays cumulative.
    List<GenerateChunk> chunks =
        stream(
            events(
                    chunk("He", "[5]", 1, "null"),
                    chunk("Hel", "[6]", 2, "null"),
                    chunk("Hello", "[7,2]", 4, STOP))
                + done());

    assertThat(chunks).extracting(GenerateChunk::textDelta).containsExactly("He", "l", "lo");
    assertThat(chunks).extracting(GenerateChunk::newOutputIds)
        .containsExactly(TokenIds.of(5), TokenIds.of(6), TokenIds.of(7, 2));
  }

  @Test
  void generateStream_keepsCumulativeLogprobsBesideIncrementalIds() {
    // Older --stream-output: the ids are deltas, the logprob lists stay cumulative; each token must
    // get exactly its own logprob.
    List<GenerateChunk> chunks =
        stream(
            events(
                    "{\"text\":\"a\",\"output_ids\":[1],\"meta_info\":{\"completion_tokens\":1,"
                        + "\"output_token_logprobs\":[[-0.1,1,null]]}}",
                    "{\"text\":\"ab\",\"output_ids\":[2],\"meta_info\":{\"completion_tokens\":2,"
                        + "\"output_token_logprobs\":[[-0.1,1,null],[-0.2,2,null]]}}",
                    "{\"text\":\"abcd\",\"output_ids\":[3,4],\"meta_info\":{"
                        + "\"completion_tokens\":4,\"finish_reason\":{\"type\":\"length\"},"
                        + "\"output_token_logprobs\":[[-0.1,1,null],[-0.2,2,null],"
                        + "[-0.3,3,null],[-0.4,4,null]]}}")
                + done());

    assertThat(chunks).extracting(GenerateChunk::newOutputIds)
        .containsExactly(TokenIds.of(1), TokenIds.of(2), TokenIds.of(3, 4));
    assertThat(chunks).extracting(GenerateChunk::newLogprobs)
        .containsExactly(
            TokenLogprobs.of(-0.1), TokenLogprobs.of(-0.2), TokenLogprobs.of(-0.3, -0.4));
  }

  @Test
  void generateStream_cumulativeLogprobsBecomeDeltas() {
    List<GenerateChunk> chunks =
        stream(
            events(
                    "{\"text\":\"a\",\"output_ids\":[1],\"meta_info\":{\"completion_tokens\":1,"
                        + "\"output_token_logprobs\":[[-0.1,1,null]]}}",
                    "{\"text\":\"ab\",\"output_ids\":[1,2],\"meta_info\":{\"completion_tokens\":2,"
                        + "\"finish_reason\":{\"type\":\"stop\",\"matched\":2},"
                        + "\"output_token_logprobs\":[[-0.1,1,null],[null,2,null]]}}")
                + done());

    assertThat(chunks.get(0).newLogprobs()).isEqualTo(TokenLogprobs.of(-0.1));
    assertThat(chunks.get(1).newLogprobs()).isEqualTo(TokenLogprobs.of(Double.NaN));
  }

  @Test
  void generateStream_abortIsANormalFinalChunk() {
    List<GenerateChunk> chunks =
        stream(
            events(
                    chunk("a", "[1]", 1, "null"),
                    chunk("a", "[1]", 1,
                        "{\"type\":\"abort\",\"message\":\"The request queue is full.\","
                            + "\"status_code\":503}"))
                + done());

    GenerateChunk last = chunks.get(1);
    assertThat(last.finishReason().isAbort()).isTrue();
    assertThat(last.finishReason().message()).isEqualTo("The request queue is full.");
  }

  @Test
  void generateStream_aFirstChunkAbortWithAStatusIsARefusal_otherAbortsAreChunks() {
    String full = "{\"type\":\"abort\",\"message\":\"The request queue is full.\","
        + "\"status_code\":503,\"err_type\":null}";
    // Refused before any token: a retryable STREAM_ERROR with the status, nothing delivered.
    server.enqueue(sse(events(chunk("", "[]", 0, full)) + done()));
    ChunkSource<GenerateChunk> refused =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"));
    assertThatThrownBy(refused::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.getMessage()).contains("The request queue is full.");
            });
    refused.close();

    // A 400 abort (the request's own fault) and an abort without a status stay answers.
    for (String finish :
        List.of(
            "{\"type\":\"abort\",\"message\":\"too long\",\"status_code\":400}",
            "{\"type\":\"abort\",\"message\":\"Abort before prefill\"}")) {
      List<GenerateChunk> chunks = stream(events(chunk("", "[]", 0, finish)) + done());
      assertThat(chunks).singleElement().satisfies(c -> assertThat(c.finishReason().isAbort()).isTrue());
    }
  }

  @Test
  void generateStream_errorEventIsStreamError() {
    server.enqueue(
        sse(events(chunk("a", "[1]", 1, "null"), "{\"error\":{\"message\":\"context too long\"}}")
            + done()));
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"));

    assertThat(source.next().textDelta()).isEqualTo("a");
    assertThatThrownBy(source::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
              assertThat(e.isRetryable()).isFalse();
              assertThat(e.getMessage()).contains("context too long");
            });
    // The failure sticks.
    assertThatThrownBy(source::next).isInstanceOf(WorkerException.class);
    source.close();
  }

  @Test
  void generateStream_endWithoutFinishIsMalformed() {
    server.enqueue(sse(events(chunk("a", "[1]", 1, "null"))));
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"));

    assertThat(source.next()).isNotNull();
    assertThatThrownBy(source::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
              assertThat(e.getMessage()).contains("stream ended before completion");
            });
    source.close();

    server.enqueue(sse(events(chunk("a", "[1]", 1, "null")) + done()));
    ChunkSource<GenerateChunk> doneEarly =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"));
    assertThat(doneEarly.next()).isNotNull();
    assertThatThrownBy(doneEarly::next).isInstanceOf(WorkerException.class)
        .hasMessageContaining("[DONE] before a chunk with a finish reason");
    doneEarly.close();
  }

  @Test
  void generateStream_endAfterFinishWithoutDoneIsNormal() {
    List<GenerateChunk> chunks = stream(events(chunk("a", "[1]", 1, STOP)));

    assertThat(chunks).hasSize(1);
    assertThat(chunks.get(0).isLast()).isTrue();
  }

  @Test
  void generateStream_nonJsonEventIsMalformed() {
    server.enqueue(sse("data: not json\n\n" + done()));
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"));

    assertThatThrownBy(source::next)
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE));
    source.close();
  }
}
