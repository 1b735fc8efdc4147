package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestTimeoutException;
import io.flexroute.ResponseStream;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router over the gRPC transport: the worker's in-flight count returns to zero however a
 * request ends (result, worker error, deadline, caller cancel, stream end, early stream close).
 */
class RouterOverGrpcTest {

  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final GrpcTransport transport = GrpcTransport.create();
  private final LinkedBlockingQueue<RequestOutcome> finished = new LinkedBlockingQueue<>();
  private Router router;

  @BeforeEach
  void setUp() {
    router =
        Router.builder()
            .transport(transport)
            .worker("g1", scheduler.url())
            .retry(RetryPolicy.disabled())
            .listener(
                new RouterListener() {
                  @Override
                  public void requestFinished(
                      RequestView request,
                      @Nullable WorkerView worker,
                      RequestOutcome outcome,
                      Duration duration,
                      @Nullable TokenUsage usage,
                      @Nullable Throwable error) {
                    finished.add(outcome);
                  }
                })
            .build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    router.close();
    transport.close();
    scheduler.close();
  }

  private int inFlight() {
    return router.workers().view("g1").orElseThrow().inFlightRequests();
  }

  private void assertFinished(RequestOutcome outcome) throws InterruptedException {
    assertThat(finished.poll(10, TimeUnit.SECONDS)).isEqualTo(outcome);
    assertThat(inFlight()).isZero();
  }

  private static GenerateRequest rollout(Duration timeout) {
    return GenerateRequest.builder()
        .inputIds(TokenIds.of(151644, 872, 198))
        .returnLogprob(true)
        .timeout(timeout)
        .build();
  }

  @Test
  void generate_success_releasesTheSlot() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(SglangSchedulerProto.GenerateResponse.newBuilder()
              .setComplete(SglangSchedulerProto.GenerateComplete.newBuilder()
                  .addAllOutputIds(List.of(7, 8))
                  .setOutputLogprobs(SglangSchedulerProto.OutputLogProbs.newBuilder()
                      .addTokenLogprobs(-0.5f).addTokenLogprobs(-0.25f))
                  .setFinishReason("stop")
                  .setPromptTokens(3)
                  .setCompletionTokens(2))
              .build());
          out.onCompleted();
        };

    GenerateResult result = router.generate(rollout(Duration.ofSeconds(10)));

    assertThat(result.workerId()).isEqualTo("g1");
    assertThat(result.outputIds()).isEqualTo(TokenIds.of(7, 8));
    assertThat(result.outputLogprobs().toArray()).containsExactly(-0.5, -0.25);
    assertThat(scheduler.generates.get(0).getRequestId()).isEqualTo(result.requestId());
    assertFinished(RequestOutcome.SUCCESS);
  }

  @Test
  void generate_workerError_releasesTheSlot() throws Exception {
    scheduler.script =
        (req, out) -> out.onError(Status.UNAVAILABLE.withDescription("queue full").asException());

    assertThatThrownBy(() -> router.generate(rollout(Duration.ofSeconds(10))))
        .isInstanceOfSatisfying(WorkerException.class,
            e -> assertThat(e.statusCode()).isEqualTo(503));
    assertFinished(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void generate_timeout_releasesTheSlotAndAborts() throws Exception {
    scheduler.script = (req, out) -> scheduler.stall();

    assertThatThrownBy(() -> router.generate(rollout(Duration.ofMillis(300))))
        .isInstanceOf(RequestTimeoutException.class);
    assertFinished(RequestOutcome.TIMEOUT);
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS))
        .isEqualTo(scheduler.generates.get(0).getRequestId());
  }

  @Test
  void generateAsync_cancelled_releasesTheSlotAndAborts() throws Exception {
    scheduler.script = (req, out) -> scheduler.stall();
    CompletableFuture<GenerateResult> future =
        router.generateAsync(rollout(Duration.ofSeconds(30)));
    String rid = scheduler.arrived.poll(10, TimeUnit.SECONDS);

    future.cancel(true);

    assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
    assertFinished(RequestOutcome.CANCELLED);
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo(rid);
  }

  @Test
  void generateStream_end_releasesTheSlot() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1, 2), 2));
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(3), 3));
          ScriptedScheduler.complete(out, req, List.of(3), "length");
        };

    List<GenerateChunk> chunks = new ArrayList<>();
    try (ResponseStream<GenerateChunk> stream =
        router.generateStream(rollout(Duration.ofSeconds(10)))) {
      stream.forEach(chunks::add);
    }

    TokenIds all = TokenIds.empty();
    for (GenerateChunk c : chunks) {
      all = all.concat(c.newOutputIds());
    }
    assertThat(all).isEqualTo(TokenIds.of(1, 2, 3));
    assertThat(chunks.get(chunks.size() - 1).isLast()).isTrue();
    assertFinished(RequestOutcome.SUCCESS);
  }

  @Test
  void generateStream_closedEarly_releasesTheSlotAndAborts() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1), 1));
          scheduler.stall();
        };
    String rid;
    try (ResponseStream<GenerateChunk> stream =
        router.generateStream(rollout(Duration.ofSeconds(30)))) {
      Iterator<GenerateChunk> it = stream.iterator();
      assertThat(it.next().newOutputIds()).isEqualTo(TokenIds.of(1));
      rid = stream.requestId();
    }
    assertFinished(RequestOutcome.CANCELLED);
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo(rid);
  }

  @Test
  void generateStream_midStreamError_releasesTheSlot() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1), 1));
          out.onError(Status.INTERNAL.withDescription("boom").asException());
        };
    try (ResponseStream<GenerateChunk> stream =
        router.generateStream(rollout(Duration.ofSeconds(10)))) {
      Iterator<GenerateChunk> it = stream.iterator();
      it.next();
      assertThatThrownBy(it::next).isInstanceOf(WorkerException.class);
    }
    assertFinished(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void streamCancelledFromAnotherThread_isACancel() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1), 1));
          scheduler.stall();
        };
    try (ResponseStream<GenerateChunk> stream =
        router.generateStream(rollout(Duration.ofSeconds(30)))) {
      Iterator<GenerateChunk> it = stream.iterator();
      it.next();
      Thread canceller = new Thread(stream::cancel);
      canceller.start();
      assertThatThrownBy(it::next).isInstanceOf(RequestCancelledException.class);
      canceller.join();
    }
    assertFinished(RequestOutcome.CANCELLED);
  }
}
