package io.flexroute.benchmarks.transport;

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
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.grpc.FakeScheduler;
import io.flexroute.testkit.grpc.GrpcFault;
import io.flexroute.testkit.grpc.RecordedGenerate;
import io.flexroute.transport.grpc.GrpcTransport;
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
 * The router over the gRPC transport against the test kit's FakeScheduler: token-id generation
 * with logprobs (the rollout path) works, and the worker's in-flight count returns to zero however
 * a request ends (result, worker error, deadline, caller cancel, stream end, early close, mid-stream
 * error).
 *
 * <p>It lives here rather than in router-transport-grpc because it needs router-core and
 * router-testkit, which that module cannot depend on without a reactor cycle (router-testkit
 * depends on it).
 */
class RouterOverGrpcTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeScheduler scheduler = FakeScheduler.builder().tokensPerChunk(4).start();
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
  void tearDown() {
    router.close();
    transport.close();
    scheduler.close();
  }

  private int inFlight() {
    return router.workers().view("g1").orElseThrow().inFlightRequests();
  }

  private void assertFinished(RequestOutcome outcome) throws InterruptedException {
    assertThat(finished.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(outcome);
    assertThat(inFlight()).isZero();
  }

  private static GenerateRequest rollout(Duration timeout) {
    return GenerateRequest.builder()
        .inputIds(TokenIds.of(151644, 872, 198, 3838))
        .sampling(SamplingParams.builder().maxNewTokens(16).temperature(1.0).ignoreEos(true)
            .build())
        .returnLogprob(true)
        .timeout(timeout)
        .build();
  }

  @Test
  void generate_withInputIdsAndLogprobs_success() throws Exception {
    GenerateResult result = router.generate(rollout(WAIT));

    assertThat(result.workerId()).isEqualTo("g1");
    assertThat(result.outputIds().size()).isEqualTo(16);
    assertThat(result.outputLogprobs().size()).isEqualTo(16);
    assertThat(result.usage()).isEqualTo(new TokenUsage(4, 16, 0));
    RecordedGenerate sent = scheduler.requests().get(0);
    assertThat(sent.requestId()).isEqualTo(result.requestId());
    assertThat(sent.returnLogprob()).isTrue();
    assertThat(sent.logprobStartLen()).isEqualTo(-1);
    assertFinished(RequestOutcome.SUCCESS);
  }

  @Test
  void generate_workerError_releasesTheSlot() throws Exception {
    scheduler.enqueue(GrpcFault.status(Status.Code.UNAVAILABLE, "queue full"));

    assertThatThrownBy(() -> router.generate(rollout(WAIT)))
        .isInstanceOfSatisfying(WorkerException.class,
            e -> assertThat(e.statusCode()).isEqualTo(503));
    assertFinished(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void generate_timeout_releasesTheSlotAndAborts() throws Exception {
    scheduler.enqueue(GrpcFault.stall(0));

    // Long enough for the request to reach the scheduler on a busy machine; it stalls there.
    assertThatThrownBy(() -> router.generate(rollout(Duration.ofSeconds(2))))
        .isInstanceOf(RequestTimeoutException.class);
    assertFinished(RequestOutcome.TIMEOUT);
    String rid = scheduler.requests().get(0).requestId();
    assertThat(scheduler.awaitAbort(rid, WAIT)).isTrue();
    assertThat(scheduler.awaitIdle(WAIT)).isTrue();
  }

  @Test
  void generateAsync_cancelled_releasesTheSlotAndAborts() throws Exception {
    scheduler.enqueue(GrpcFault.stall(2));
    CompletableFuture<GenerateResult> future = router.generateAsync(rollout(Duration.ofSeconds(30)));
    assertThat(scheduler.awaitActiveRequests(1, WAIT)).isTrue();

    future.cancel(true);

    assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
    assertFinished(RequestOutcome.CANCELLED);
    assertThat(scheduler.awaitAbort(scheduler.requests().get(0).requestId(), WAIT)).isTrue();
    assertThat(scheduler.awaitIdle(WAIT)).isTrue();
  }

  @Test
  void generateStream_end_releasesTheSlot() throws Exception {
    List<GenerateChunk> chunks = new ArrayList<>();
    try (ResponseStream<GenerateChunk> stream = router.generateStream(rollout(WAIT))) {
      stream.forEach(chunks::add);
    }

    TokenIds all = TokenIds.empty();
    for (GenerateChunk c : chunks) {
      all = all.concat(c.newOutputIds());
    }
    assertThat(all.size()).isEqualTo(16);
    assertThat(chunks).hasSize(5); // four chunks of four tokens, then complete
    assertThat(chunks.get(4).usage()).isEqualTo(new TokenUsage(4, 16, 0));
    assertFinished(RequestOutcome.SUCCESS);
  }

  @Test
  void generateStream_closedEarly_releasesTheSlotAndAborts() throws Exception {
    scheduler.enqueue(GrpcFault.stall(4));
    String rid;
    try (ResponseStream<GenerateChunk> stream =
        router.generateStream(rollout(Duration.ofSeconds(30)))) {
      Iterator<GenerateChunk> it = stream.iterator();
      assertThat(it.next().newOutputIds().size()).isEqualTo(4);
      rid = stream.requestId();
    }
    assertFinished(RequestOutcome.CANCELLED);
    assertThat(scheduler.awaitAbort(rid, WAIT)).isTrue();
  }

  @Test
  void generateStream_midStreamError_releasesTheSlot() throws Exception {
    scheduler.enqueue(GrpcFault.midStream(4, Status.Code.INVALID_ARGUMENT, "bad"));
    try (ResponseStream<GenerateChunk> stream = router.generateStream(rollout(WAIT))) {
      Iterator<GenerateChunk> it = stream.iterator();
      it.next();
      assertThatThrownBy(it::next).isInstanceOf(WorkerException.class);
    }
    assertFinished(RequestOutcome.WORKER_ERROR);
  }

  @Test
  void generateStream_cancelledFromAnotherThread() throws Exception {
    scheduler.enqueue(GrpcFault.stall(4));
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

  @Test
  void providerDiscovery_routesGrpcUrlsWithoutAnExplicitTransport() throws Exception {
    try (Router discovered = Router.builder().worker("g2", scheduler.url())
        .retry(RetryPolicy.disabled()).build()) {
      assertThat(discovered.generate(rollout(WAIT)).outputIds().size()).isEqualTo(16);
      assertThat(discovered.workers().view("g2").orElseThrow().inFlightRequests()).isZero();
    }
  }
}
