package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.FinishReason;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestRejectedException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateComplete;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateResponse;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.OutputLogProbs;
import io.grpc.Metadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Generate without streaming: every request field, the result mapping, and refused requests. */
class GenerateMappingTest {

  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final GrpcTransport transport = GrpcTransport.create();
  private final Worker worker = Worker.of("w1", scheduler.url());

  @AfterEach
  void tearDown() throws InterruptedException {
    transport.close();
    scheduler.close();
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void generate_setsEveryUnsetSamplingFieldToTheEngineDefault() throws Exception {
    GenerateRequest request = GenerateRequest.builder().inputIds(TokenIds.of(5, 6, 7)).build();

    await(transport.generate(worker, request, TestContext.of("rid-1")));

    SglangSchedulerProto.GenerateRequest sent = scheduler.generates.get(0);
    assertThat(sent.getRequestId()).isEqualTo("rid-1");
    assertThat(sent.getTokenized().getInputIdsList()).containsExactly(5, 6, 7);
    assertThat(sent.getStream()).isFalse();
    assertThat(sent.getReturnLogprob()).isFalse();
    assertThat(sent.getLogprobStartLen()).isEqualTo(-1);
    assertThat(sent.hasSamplingParams()).isTrue();
    SglangSchedulerProto.SamplingParams p = sent.getSamplingParams();
    assertThat(p.getTemperature()).isEqualTo(1.0f);
    assertThat(p.getTopP()).isEqualTo(1.0f);
    assertThat(p.getTopK()).isEqualTo(-1);
    assertThat(p.getMinP()).isZero();
    assertThat(p.getFrequencyPenalty()).isZero();
    assertThat(p.getPresencePenalty()).isZero();
    assertThat(p.getRepetitionPenalty()).isEqualTo(1.0f);
    assertThat(p.hasMaxNewTokens()).isTrue();
    assertThat(p.getMaxNewTokens()).isEqualTo(GrpcTransport.DEFAULT_MAX_NEW_TOKENS);
    assertThat(p.getN()).isEqualTo(1);
    assertThat(p.getSkipSpecialTokens()).isTrue();
    assertThat(p.getSpacesBetweenSpecialTokens()).isTrue();
    assertThat(p.getMinNewTokens()).isZero();
    assertThat(p.getIgnoreEos()).isFalse();
    assertThat(p.getConstraintCase())
        .isEqualTo(SglangSchedulerProto.SamplingParams.ConstraintCase.CONSTRAINT_NOT_SET);
  }

  @Test
  void generate_sendsEverySetField() throws Exception {
    GenerateRequest request =
        GenerateRequest.builder()
            .inputIds(TokenIds.of(1, 2))
            .sampling(
                SamplingParams.builder()
                    .maxNewTokens(0)
                    .minNewTokens(0)
                    .temperature(0.0)
                    .topP(0.5)
                    .topK(20)
                    .minP(0.1)
                    .frequencyPenalty(0.25)
                    .presencePenalty(-0.5)
                    .repetitionPenalty(1.5)
                    .stop("</s>", "END")
                    .stopTokenIds(TokenIds.of(151645, 0))
                    .ignoreEos(true)
                    .skipSpecialTokens(false)
                    .n(1)
                    .jsonSchema("{\"type\":\"object\"}")
                    .build())
            .logprobStartLen(0)
            .topLogprobsNum(5)
            .extraBody("lora_id", "adapter-7")
            .extraBody("data_parallel_rank", 2)
            .extraBody(
                "sampling_params",
                Map.of("no_stop_trim", true, "stream_interval", 4, "logit_bias", Map.of("42", -1.5)))
            .build();

    await(transport.generate(worker, request, TestContext.of("rid-2")));

    SglangSchedulerProto.GenerateRequest sent = scheduler.generates.get(0);
    SglangSchedulerProto.SamplingParams p = sent.getSamplingParams();
    assertThat(p.hasMaxNewTokens()).isTrue();
    assertThat(p.getMaxNewTokens()).isZero();
    assertThat(p.getTemperature()).isZero();
    assertThat(p.getTopP()).isEqualTo(0.5f);
    assertThat(p.getTopK()).isEqualTo(20);
    assertThat(p.getMinP()).isEqualTo(0.1f);
    assertThat(p.getFrequencyPenalty()).isEqualTo(0.25f);
    assertThat(p.getPresencePenalty()).isEqualTo(-0.5f);
    assertThat(p.getRepetitionPenalty()).isEqualTo(1.5f);
    assertThat(p.getStopList()).containsExactly("</s>", "END");
    assertThat(p.getStopTokenIdsList()).containsExactly(151645, 0);
    assertThat(p.getIgnoreEos()).isTrue();
    assertThat(p.getSkipSpecialTokens()).isFalse();
    assertThat(p.getJsonSchema()).isEqualTo("{\"type\":\"object\"}");
    assertThat(p.getNoStopTrim()).isTrue();
    assertThat(p.getStreamInterval()).isEqualTo(4);
    assertThat(p.getLogitBiasMap()).containsEntry("42", -1.5f);
    assertThat(sent.getReturnLogprob()).isTrue();
    assertThat(sent.getLogprobStartLen()).isZero();
    assertThat(sent.getTopLogprobsNum()).isEqualTo(5);
    assertThat(sent.getLoraId()).isEqualTo("adapter-7");
    assertThat(sent.getDataParallelRank()).isEqualTo(2);
  }

  @Test
  void generate_regexAndEbnfUseTheirOneofArm() throws Exception {
    await(transport.generate(worker, GenerateRequest.builder().inputIds(TokenIds.of(1))
        .sampling(SamplingParams.builder().regex("[a-z]+").build()).build(),
        TestContext.of("r1")));
    await(transport.generate(worker, GenerateRequest.builder().inputIds(TokenIds.of(1))
        .sampling(SamplingParams.builder().ebnf("root ::= \"x\"").build()).build(),
        TestContext.of("r2")));

    assertThat(scheduler.generates.get(0).getSamplingParams().getRegex()).isEqualTo("[a-z]+");
    assertThat(scheduler.generates.get(1).getSamplingParams().getEbnfGrammar())
        .isEqualTo("root ::= \"x\"");
  }

  @Test
  void generate_defaultMaxNewTokensMinusOneLeavesTheFieldUnset() throws Exception {
    try (GrpcTransport unlimited = GrpcTransport.builder().defaultMaxNewTokens(-1).build()) {
      await(unlimited.generate(worker, GenerateRequest.builder().inputIds(TokenIds.of(1)).build(),
          TestContext.of("r")));
    }
    assertThat(scheduler.generates.get(0).getSamplingParams().hasMaxNewTokens()).isFalse();
  }

  @Test
  void generate_sendsRequestIdApiKeyAndHeadersAsMetadata() throws Exception {
    Worker keyed =
        Worker.builder("w2", scheduler.url()).apiKey("sk-test").header("X-Team", "rl").build();
    TestContext context =
        new TestContext("rid-md", Duration.ofSeconds(30), Map.of("X-Team", "rl", "X-Run", "7",
            "X-Request-Id", "ignored"));

    await(transport.generate(keyed, GenerateRequest.builder().inputIds(TokenIds.of(1)).build(),
        context));

    Metadata md = scheduler.metadata.get(0);
    assertThat(md.getAll(key("x-request-id"))).containsExactly("rid-md");
    assertThat(md.get(key("authorization"))).isEqualTo("Bearer sk-test");
    assertThat(md.get(key("x-team"))).isEqualTo("rl");
    assertThat(md.get(key("x-run"))).isEqualTo("7");
  }

  private static Metadata.Key<String> key(String name) {
    return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
  }

  @Test
  void generate_foldsTheCompleteMessageIntoTheResult() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(
              GenerateResponse.newBuilder()
                  .setRequestId(req.getRequestId())
                  .setComplete(
                      GenerateComplete.newBuilder()
                          .addAllOutputIds(List.of(11, 12, 13))
                          .setFinishReason("length")
                          .setPromptTokens(3)
                          .setCompletionTokens(3)
                          .setCachedTokens(2)
                          .setOutputLogprobs(
                              OutputLogProbs.newBuilder()
                                  .addAllTokenLogprobs(List.of(-0.5f, -1.0f, -0.25f))
                                  .addAllTokenIds(List.of(11, 12, 13))))
                  .build());
          out.onCompleted();
        };

    GenerateResult result =
        await(transport.generate(worker,
            GenerateRequest.builder().inputIds(TokenIds.of(1, 2, 3)).returnLogprob(true).build(),
            TestContext.of("rid-3")));

    assertThat(result.requestId()).isEqualTo("rid-3");
    assertThat(result.workerId()).isEqualTo("w1");
    assertThat(result.text()).isNull();
    assertThat(result.outputIds()).isEqualTo(TokenIds.of(11, 12, 13));
    assertThat(result.outputLogprobs().toArray()).containsExactly(-0.5, -1.0, -0.25);
    assertThat(result.finishReason().type()).isEqualTo(FinishReason.Type.LENGTH);
    assertThat(result.usage()).isEqualTo(new TokenUsage(3, 3, 2));
    assertThat(result.weightVersion()).isNull();
  }

  @Test
  void generate_mapsFinishReasonsAndMatchedStops() throws Exception {
    assertThat(finishOf(GenerateComplete.newBuilder().setFinishReason("stop")
        .setMatchedTokenId(151645)))
        .isEqualTo(new FinishReason(FinishReason.Type.STOP, "stop", 151645, null, null));
    assertThat(finishOf(GenerateComplete.newBuilder().setFinishReason("stop")
        .setMatchedStopStr("</s>")))
        .isEqualTo(new FinishReason(FinishReason.Type.STOP, "stop", null, "</s>", null));
    assertThat(finishOf(GenerateComplete.newBuilder().setFinishReason("abort")).isAbort())
        .isTrue();
    assertThat(finishOf(GenerateComplete.newBuilder()).type()).isEqualTo(FinishReason.Type.STOP);
    assertThat(finishOf(GenerateComplete.newBuilder().setFinishReason("stop")
        .setMatchedTokenId(0)).matchedTokenId()).isZero();
  }

  private FinishReason finishOf(GenerateComplete.Builder complete) throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(GenerateResponse.newBuilder().setComplete(complete).build());
          out.onCompleted();
        };
    return await(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(1)).build(), TestContext.of("f")))
        .finishReason();
  }

  @Test
  void generate_assemblesChunksWhenTheServerStreamsAnyway() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(4, 5), 2));
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(6), 3));
          ScriptedScheduler.complete(out, req, List.of(6), "stop");
        };
    GenerateResult result = await(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(1)).build(), TestContext.of("c")));
    assertThat(result.outputIds()).isEqualTo(TokenIds.of(4, 5, 6));
    assertThat(result.usage().completionTokens()).isEqualTo(3);
  }

  @Test
  void generate_endingWithoutCompleteIsMalformed() {
    scheduler.script = (req, out) -> out.onCompleted();
    assertThatThrownBy(() -> await(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(1)).build(), TestContext.of("m"))))
        .isInstanceOfSatisfying(io.flexroute.WorkerException.class, e -> {
          assertThat(e.kind()).isEqualTo(io.flexroute.WorkerException.Kind.MALFORMED_RESPONSE);
          assertThat(e.getMessage()).contains("before completion");
        });
  }

  @Test
  void generate_refusesWhatTheProtocolCannotCarryBeforeSending() {
    GenerateRequest text = GenerateRequest.ofText("hello");
    assertRejected(transport.generate(worker, text, TestContext.of("t")), "token ids");
    assertRejected(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(1))
            .sampling(SamplingParams.builder().n(2).build()).build(), TestContext.of("n")), "n = 1");
    assertRejected(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(1))
            .sampling(SamplingParams.builder().seed(7).build()).build(), TestContext.of("s")),
        "seed");
    assertRejected(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(1)).extraBody("return_hidden_states", true)
            .build(), TestContext.of("x")), "return_hidden_states");
    assertRejected(transport.generate(
        Worker.builder("v", scheduler.url()).flavor(ApiFlavor.VLLM).build(),
        GenerateRequest.builder().inputIds(TokenIds.of(1)).build(), TestContext.of("v")),
        "SGLang");
    assertThatThrownBy(() -> transport.generateStream(worker, text, TestContext.of("ts")))
        .isInstanceOf(RequestRejectedException.class);
    assertThat(scheduler.generates).isEmpty();
  }

  private static void assertRejected(CompletableFuture<?> future, String messagePart) {
    assertThatThrownBy(() -> await(future))
        .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(RequestRejectedException.Reason.UNSUPPORTED);
          assertThat(e.getMessage()).contains(messagePart);
        });
  }
}
