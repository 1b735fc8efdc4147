package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.RequestCancelledException;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.ChunkSource;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateResponse;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateStreamChunk;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.OutputLogProbs;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streaming Generate: delta assembly, both servicer generations, flow control, errors, close. */
class StreamTest {

  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final GrpcTransport transport = GrpcTransport.create();
  private final Worker worker = Worker.of("w1", scheduler.url());
  private final GenerateRequest request =
      GenerateRequest.builder().inputIds(TokenIds.of(1, 2, 3)).returnLogprob(true).build();

  @AfterEach
  void tearDown() throws InterruptedException {
    transport.close();
    scheduler.close();
  }

  private static GenerateResponse chunk(List<Integer> ids, List<Float> logprobs, int total) {
    return GenerateResponse.newBuilder()
        .setChunk(
            GenerateStreamChunk.newBuilder()
                .addAllTokenIds(ids)
                .setPromptTokens(3)
                .setCompletionTokens(total)
                .setCachedTokens(1)
                .setOutputLogprobs(
                    OutputLogProbs.newBuilder().addAllTokenLogprobs(logprobs).addAllTokenIds(ids)))
        .build();
  }

  private static List<GenerateChunk> drain(ChunkSource<GenerateChunk> source) {
    List<GenerateChunk> chunks = new ArrayList<>();
    for (GenerateChunk c = source.next(); c != null; c = source.next()) {
      chunks.add(c);
    }
    return chunks;
  }

  @Test
  void stream_currentServicer_lastDeltaInChunkAndRepeatedInComplete() {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(10, 11), List.of(-0.1f, -0.2f), 2));
          out.onNext(chunk(List.of(12), List.of(-0.3f), 3));
          out.onNext(
              GenerateResponse.newBuilder()
                  .setComplete(
                      io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto
                          .GenerateComplete.newBuilder()
                          .addOutputIds(12)
                          .setOutputLogprobs(OutputLogProbs.newBuilder().addTokenLogprobs(-0.3f))
                          .setFinishReason("stop")
                          .setMatchedTokenId(12)
                          .setPromptTokens(3)
                          .setCompletionTokens(3)
                          .setCachedTokens(1))
                  .build());
          out.onCompleted();
        };

    try (ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("s1"))) {
      List<GenerateChunk> chunks = drain(source);

      assertThat(chunks).hasSize(3);
      TokenIds all = TokenIds.empty();
      TokenLogprobs lps = TokenLogprobs.empty();
      for (GenerateChunk c : chunks) {
        all = all.concat(c.newOutputIds());
        lps = lps.concat(c.newLogprobs());
        assertThat(c.requestId()).isEqualTo("s1");
        assertThat(c.textDelta()).isEmpty();
      }
      assertThat(all).isEqualTo(TokenIds.of(10, 11, 12));
      assertThat(lps.size()).isEqualTo(3);
      assertThat(chunks.get(0).completionTokens()).isEqualTo(2);
      GenerateChunk last = chunks.get(2);
      assertThat(last.isLast()).isTrue();
      assertThat(last.newOutputIds().isEmpty()).isTrue();
      assertThat(last.usage()).isEqualTo(new TokenUsage(3, 3, 1));
      assertThat(last.finishReason().matchedTokenId()).isEqualTo(12);
      assertThat(source.next()).isNull();
      assertThat(source.next()).isNull();
    }
    assertThat(scheduler.generates.get(0).getStream()).isTrue();
  }

  @Test
  void stream_readToTheEnd_closeSendsNoAbort() {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(10, 11), List.of(-0.1f, -0.2f), 2));
          out.onNext(
              GenerateResponse.newBuilder()
                  .setComplete(
                      io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto
                          .GenerateComplete.newBuilder()
                          .setFinishReason("stop")
                          .setPromptTokens(3)
                          .setCompletionTokens(2))
                  .build());
          out.onCompleted();
        };
    StartedCalls started = new StartedCalls();
    ManagedChannel channel = started.channelTo(scheduler);
    try (GrpcTransport recorded = GrpcTransport.builder().channel(worker.id(), channel).build()) {
      try (ChunkSource<GenerateChunk> source =
          recorded.generateStream(worker, request, TestContext.of("read-all"))) {
        assertThat(drain(source)).hasSize(2);
      }

      // An Abort would have been started on this thread, inside close().
      assertThat(started.methods()).containsExactly("Generate");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void stream_olderServicer_lastDeltaOnlyInComplete() {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(10), List.of(-0.1f), 1));
          out.onNext(
              GenerateResponse.newBuilder()
                  .setComplete(
                      io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto
                          .GenerateComplete.newBuilder()
                          .addAllOutputIds(List.of(11, 12))
                          .setOutputLogprobs(
                              OutputLogProbs.newBuilder().addTokenLogprobs(-0.2f)
                                  .addTokenLogprobs(-0.3f))
                          .setFinishReason("length")
                          .setPromptTokens(3)
                          .setCompletionTokens(3))
                  .build());
          out.onCompleted();
        };

    try (ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("s2"))) {
      List<GenerateChunk> chunks = drain(source);
      assertThat(chunks).hasSize(2);
      assertThat(chunks.get(1).newOutputIds()).isEqualTo(TokenIds.of(11, 12));
      assertThat(chunks.get(1).newLogprobs().toArray()).containsExactly(
          (double) -0.2f, (double) -0.3f);
      assertThat(chunks.get(1).completionTokens()).isEqualTo(3);
    }
  }

  @Test
  void stream_pullsOneMessageAtATime() throws Exception {
    int total = 200;
    scheduler.script =
        (req, out) -> {
          for (int i = 0; i < total; i++) {
            out.onNext(chunk(List.of(i), List.of(-1f), i + 1));
          }
          ScriptedScheduler.complete(out, req, List.of(), "length");
        };
    try (ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("fc"))) {
      assertThat(drain(source)).hasSize(total + 1);
    }
  }

  @Test
  void stream_errorBeforeTheStreamStartsIsThrownByGenerateStream() {
    scheduler.script =
        (req, out) -> out.onError(Status.INVALID_ARGUMENT.withDescription("bad top_p")
            .asException());

    assertThatThrownBy(() -> transport.generateStream(worker, request, TestContext.of("e1")))
        .isInstanceOfSatisfying(WorkerException.class, e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("INVALID_ARGUMENT", "bad top_p");
        });
  }

  @Test
  void stream_errorAfterChunksIsAStreamError() {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(1), List.of(-1f), 1));
          out.onError(Status.INTERNAL.withDescription("Request aborted").asException());
        };
    // Mid-stream: a STREAM_ERROR carrying the HTTP equivalent, retryable as a 5xx is.

    try (ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("e2"))) {
      assertThat(source.next()).isNotNull();
      assertThatThrownBy(source::next)
          .isInstanceOfSatisfying(WorkerException.class, e -> {
            assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
            assertThat(e.statusCode()).isEqualTo(500);
            assertThat(e.isRetryable()).isTrue();
          });
      // The same failure again on every later pull.
      assertThatThrownBy(source::next).isInstanceOf(WorkerException.class);
    }
  }

  @Test
  void stream_endingWithoutCompleteIsMalformed() {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(1), List.of(-1f), 1));
          out.onCompleted();
        };
    try (ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("e3"))) {
      source.next();
      assertThatThrownBy(source::next)
          .isInstanceOfSatisfying(WorkerException.class,
              e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE));
    }
  }

  @Test
  void stream_secondSampleIndexIsMalformed() {
    scheduler.script =
        (req, out) -> {
          out.onNext(GenerateResponse.newBuilder()
              .setChunk(GenerateStreamChunk.newBuilder().addTokenIds(1).setIndex(1)).build());
          out.onCompleted();
        };
    try (ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("e4"))) {
      assertThatThrownBy(source::next)
          .isInstanceOfSatisfying(WorkerException.class,
              e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE));
    }
  }

  @Test
  void stream_closedEarly_cancelsTheCallAndSendsAbort() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(1), List.of(-1f), 1));
          scheduler.stall();
        };

    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("close-me"));
    assertThat(source.next()).isNotNull();
    source.close();

    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("close-me");
    assertThat(scheduler.cancelledCalls.poll(10, TimeUnit.SECONDS)).isEqualTo("close-me");
    assertThatThrownBy(source::next).isInstanceOf(RequestCancelledException.class);
    source.close();
  }

  @Test
  void stream_closedEarly_startsTheAbortOnTheClosingThread() {
    // The control of stream_readToTheEnd_closeSendsNoAbort: the recorder does see an Abort.
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(1), List.of(-1f), 1));
          scheduler.stall();
        };
    StartedCalls started = new StartedCalls();
    ManagedChannel channel = started.channelTo(scheduler);
    try (GrpcTransport recorded = GrpcTransport.builder().channel(worker.id(), channel).build()) {
      try (ChunkSource<GenerateChunk> source =
          recorded.generateStream(worker, request, TestContext.of("close-early"))) {
        assertThat(source.next()).isNotNull();
      }

      assertThat(started.methods()).containsExactly("Generate", "Abort");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void stream_closeFromAnotherThreadWakesABlockedPull() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(chunk(List.of(1), List.of(-1f), 1));
          scheduler.stall();
        };
    ChunkSource<GenerateChunk> source =
        transport.generateStream(worker, request, TestContext.of("blocked"));
    source.next();
    // Closes while next() blocks, or just before it does: either way next() must not hang.
    Thread closer = new Thread(source::close);
    closer.start();
    assertThatThrownBy(source::next).isInstanceOf(RequestCancelledException.class);
    closer.join();
  }
}
