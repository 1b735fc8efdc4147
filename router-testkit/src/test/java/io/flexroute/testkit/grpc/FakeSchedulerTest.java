package io.flexroute.testkit.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.FinishReason;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.transport.grpc.GrpcTransport;
import io.flexroute.transport.grpc.SchedulerModelInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake scheduler, driven through the real gRPC transport. */
class FakeSchedulerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeScheduler scheduler = FakeScheduler.builder().tokensPerChunk(2).start();
  private final GrpcTransport transport = GrpcTransport.create();
  private final Worker worker = Worker.of("g1", scheduler.url());

  @AfterEach
  void tearDown() {
    transport.close();
    scheduler.close();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  private static final class Context implements CallContext {
    private final String id;
    private final List<Runnable> actions = new ArrayList<>();
    private volatile boolean cancelled;

    Context(String id) {
      this.id = id;
    }

    @Override
    public String requestId() {
      return id;
    }

    @Override
    public Duration remaining() {
      return Duration.ofSeconds(30);
    }

    @Override
    public Duration timeout() {
      return Duration.ofSeconds(30);
    }

    @Override
    public Map<String, String> headers() {
      return Map.of("x-run", "r1");
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public synchronized void onCancel(Runnable action) {
      actions.add(action);
    }

    void cancel() {
      List<Runnable> run;
      synchronized (this) {
        cancelled = true;
        run = List.copyOf(actions);
      }
      run.forEach(Runnable::run);
    }
  }

  private static GenerateRequest request(int maxNewTokens) {
    return GenerateRequest.builder()
        .inputIds(TokenIds.of(5, 6, 7))
        .sampling(SamplingParams.builder().maxNewTokens(maxNewTokens).ignoreEos(true).build())
        .returnLogprob(true)
        .build();
  }

  @Test
  void generate_isDeterministic_andRecorded() throws Exception {
    GenerateResult a = await(transport.generate(worker, request(12), new Context("a")));
    GenerateResult b = await(transport.generate(worker, request(12), new Context("b")));

    assertThat(a.outputIds().size()).isEqualTo(12);
    assertThat(a.outputIds()).isEqualTo(b.outputIds());
    assertThat(a.outputLogprobs().size()).isEqualTo(12);
    for (double lp : a.outputLogprobs().toArray()) {
      assertThat(lp).isBetween(-5.0, 0.0);
    }
    assertThat(a.finishReason().type()).isEqualTo(FinishReason.Type.LENGTH);
    assertThat(a.usage().promptTokens()).isEqualTo(3);
    RecordedGenerate recorded = scheduler.requests().get(0);
    assertThat(recorded.requestId()).isEqualTo("a");
    assertThat(recorded.inputIds()).isEqualTo(TokenIds.of(5, 6, 7));
    assertThat(recorded.maxNewTokens()).isEqualTo(12);
    assertThat(recorded.topK()).isEqualTo(-1);
    assertThat(recorded.logprobStartLen()).isEqualTo(-1);
    assertThat(recorded.stream()).isFalse();
    assertThat(recorded.metadata()).containsEntry("x-request-id", "a").containsEntry("x-run", "r1");
    assertThat(scheduler.requestCount()).isEqualTo(2);
  }

  @Test
  void generate_withoutIgnoreEos_endsWithEos() throws Exception {
    GenerateResult r = await(transport.generate(worker,
        GenerateRequest.builder().inputIds(TokenIds.of(9)).sampling(
            SamplingParams.builder().maxNewTokens(1000).build()).build(), new Context("e")));
    assertThat(r.finishReason().type()).isEqualTo(FinishReason.Type.STOP);
    assertThat(r.finishReason().matchedTokenId()).isEqualTo(2);
    assertThat(r.outputIds().get(r.outputIds().size() - 1)).isEqualTo(2);
  }

  @Test
  void stream_matchesThePlainAnswer() throws Exception {
    GenerateResult plain = await(transport.generate(worker, request(7), new Context("p")));
    TokenIds ids = TokenIds.empty();
    TokenLogprobs lps = TokenLogprobs.empty();
    int chunks = 0;
    try (ChunkSource<GenerateChunk> s = transport.generateStream(worker, request(7),
        new Context("s"))) {
      for (GenerateChunk c = s.next(); c != null; c = s.next()) {
        ids = ids.concat(c.newOutputIds());
        lps = lps.concat(c.newLogprobs());
        chunks++;
      }
    }
    assertThat(ids).isEqualTo(plain.outputIds());
    assertThat(lps.toArray()).containsExactly(plain.outputLogprobs().toArray());
    assertThat(chunks).isEqualTo(5); // 2+2+2+1 tokens, then complete
  }

  @Test
  void programmableOutput_isCutAtMaxNewTokens() throws Exception {
    try (FakeScheduler custom = FakeScheduler.builder()
        .output(r -> new SchedulerOutput(TokenIds.of(7, 8, 9), TokenLogprobs.of(-1, -2, -3),
            "stop", 9))
        .start()) {
      Worker w = Worker.of("c", custom.url());
      GenerateResult full = await(transport.generate(w, request(10), new Context("f")));
      GenerateResult cut = await(transport.generate(w, request(2), new Context("c")));
      assertThat(full.outputIds()).isEqualTo(TokenIds.of(7, 8, 9));
      assertThat(full.outputLogprobs().toArray()).containsExactly(-1, -2, -3);
      assertThat(full.finishReason().matchedTokenId()).isEqualTo(9);
      assertThat(cut.outputIds()).isEqualTo(TokenIds.of(7, 8));
      assertThat(cut.finishReason().type()).isEqualTo(FinishReason.Type.LENGTH);
    }
  }

  @Test
  void faults_statusMidStreamAndAbort() throws Exception {
    scheduler.enqueue(GrpcFault.status(Status.Code.RESOURCE_EXHAUSTED, "queue full"));
    assertThatThrownBy(() -> await(transport.generate(worker, request(5), new Context("1"))))
        .isInstanceOfSatisfying(WorkerException.class,
            e -> assertThat(e.statusCode()).isEqualTo(429));

    scheduler.enqueue(GrpcFault.midStream(2, Status.Code.INTERNAL, "boom"));
    try (ChunkSource<GenerateChunk> s = transport.generateStream(worker, request(5),
        new Context("2"))) {
      assertThat(s.next().newOutputIds().size()).isEqualTo(2);
      assertThatThrownBy(s::next).isInstanceOfSatisfying(WorkerException.class,
          e -> assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR));
    }

    scheduler.enqueue(GrpcFault.abort(3));
    GenerateResult aborted = await(transport.generate(worker, request(5), new Context("3")));
    assertThat(aborted.finishReason().isAbort()).isTrue();
    assertThat(aborted.outputIds().size()).isEqualTo(3);
    assertThat(scheduler.pendingFaults()).isZero();
  }

  @Test
  void stall_endsWhenTheClientCancels_andTheAbortIsRecorded() throws Exception {
    scheduler.enqueue(GrpcFault.stall(1));
    Context context = new Context("stalled");
    CompletableFuture<GenerateResult> f = transport.generate(worker, request(5), context);
    assertThat(scheduler.awaitActiveRequests(1, WAIT)).isTrue();

    context.cancel();

    assertThatThrownBy(() -> await(f)).isInstanceOf(RequestCancelledException.class);
    assertThat(scheduler.awaitIdle(WAIT)).isTrue();
    assertThat(transport.abort(worker, "sync").get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(scheduler.abortedRequestIds()).contains("stalled");
  }

  @Test
  void abortRpc_endsRunningCallsByPrefix() throws Exception {
    scheduler.enqueue(GrpcFault.stall(0), 2);
    CompletableFuture<GenerateResult> a = transport.generate(worker, request(5),
        new Context("batch7-a"));
    CompletableFuture<GenerateResult> b = transport.generate(worker, request(5),
        new Context("batch7-b"));
    assertThat(scheduler.awaitActiveRequests(2, WAIT)).isTrue();

    assertThat(await(transport.abort(worker, "batch7"))).isTrue();

    for (CompletableFuture<GenerateResult> f : List.of(a, b)) {
      assertThatThrownBy(() -> await(f)).isInstanceOfSatisfying(WorkerException.class,
          e -> assertThat(e.getMessage()).contains("Request aborted"));
    }
  }

  @Test
  void latency_isPaced() throws Exception {
    try (FakeScheduler slow = FakeScheduler.builder()
        .ttft(Duration.ofMillis(30)).interTokenDelay(Duration.ofMillis(5)).start()) {
      GenerateResult r = await(transport.generate(Worker.of("s", slow.url()), request(4),
          new Context("slow")));
      assertThat(r.outputIds().size()).isEqualTo(4);
    }
  }

  @Test
  void greedyTemperatureZero_isServed() throws Exception {
    try (GrpcTransport greedy = GrpcTransport.create()) {
      GenerateResult r = await(greedy.generate(worker, GenerateRequest.builder()
          .inputIds(TokenIds.of(1)).sampling(SamplingParams.builder().temperature(0).build())
          .build(), new Context("t0")));
      assertThat(r.outputIds().isEmpty()).isFalse();
    }
  }

  @Test
  void inProcessChannel_healthLoadsAndModelInfo() throws Exception {
    ManagedChannel channel = scheduler.newInProcessChannel();
    try (GrpcTransport inProc = GrpcTransport.builder().channel("g1", channel).build()) {
      assertThat(await(inProc.checkHealth(worker, new Context("h")))).isNull();
      scheduler.setHealthy(false);
      assertThatThrownBy(() -> await(inProc.checkHealth(worker, new Context("h2"))))
          .isInstanceOf(WorkerException.class);
      scheduler.setTokenUsage(0.5);
      WorkerLoad load = await(inProc.loads(worker));
      assertThat(load.kvCacheUsage()).isEqualTo(0.5);
      assertThat(load.runningRequests()).isZero();
      scheduler.setWeightVersion("v2");
      SchedulerModelInfo info = await(inProc.modelInfo(worker));
      assertThat(info.weightVersion()).isEqualTo("v2");
      assertThat(info.servedModelName()).isEqualTo("fake-model");
      assertThat(await(inProc.serverInfo(worker)).serverType()).isEqualTo("grpc");
    } finally {
      channel.shutdownNow();
    }
  }
}
