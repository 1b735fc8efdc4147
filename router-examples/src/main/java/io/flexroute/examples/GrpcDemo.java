package io.flexroute.examples;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestRejectedException;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.testkit.grpc.FakeScheduler;
import io.flexroute.testkit.grpc.GrpcFault;
import io.flexroute.transport.grpc.GrpcTransport;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Routes token-id generations over gRPC: starts two fake SGLang gRPC schedulers in process, routes
 * rollout-style requests (prompt token ids in, output token ids and logprobs out) to them through
 * the {@link GrpcTransport}, streams one, reads the workers' loads, and shows a fault and a refused
 * text prompt.
 *
 * <pre>{@code
 * ./mvnw -B -q -pl router-examples -am -DskipTests package exec:java \
 *     -Dexec.mainClass=io.flexroute.examples.GrpcDemo
 * }</pre>
 *
 * Not thread-safe; a command-line program.
 */
public final class GrpcDemo {

  private GrpcDemo() {}

  /**
   * Runs the demo.
   *
   * @param args ignored
   * @throws Exception if a request fails unexpectedly
   */
  public static void main(String[] args) throws Exception {
    try (FakeScheduler a =
            FakeScheduler.builder().ttft(Duration.ofMillis(5)).tokensPerChunk(4).start();
        FakeScheduler b =
            FakeScheduler.builder().ttft(Duration.ofMillis(5)).tokensPerChunk(4).start();
        GrpcTransport grpc = GrpcTransport.builder().defaultMaxNewTokens(64).build();
        Router router =
            Router.builder()
                .transport(grpc)
                .worker(Worker.builder("sched-a", a.url()).model("fake-model").build())
                .worker(Worker.builder("sched-b", b.url()).model("fake-model").build())
                .strategy("least_inflight")
                .build()) {
      System.out.println("Schedulers: " + a.url() + ", " + b.url());

      // Rollout-style requests: token ids in, token ids and logprobs out, 16 at once.
      List<CompletableFuture<GenerateResult>> futures = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        futures.add(
            router.generateAsync(
                GenerateRequest.builder()
                    .model("fake-model")
                    .inputIds(TokenIds.of(151644, 872, 198, 1000 + i))
                    .sampling(
                        SamplingParams.builder().maxNewTokens(32).temperature(1.0).build())
                    .returnLogprob(true)
                    .build()));
      }
      int tokens = 0;
      for (CompletableFuture<GenerateResult> f : futures) {
        GenerateResult r = f.join();
        tokens += r.outputIds().size();
        if (r == futures.get(0).join()) {
          System.out.printf(
              Locale.ROOT,
              "First result from %s: %d tokens, finish=%s, first ids %s, first logprob %.3f%n",
              r.workerId(),
              r.outputIds().size(),
              r.finishReason().raw(),
              r.outputIds().subList(0, Math.min(4, r.outputIds().size())),
              r.outputLogprobs().isEmpty() ? Double.NaN : r.outputLogprobs().get(0));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "16 generations, %d output tokens; scheduler a served %d, b served %d%n",
          tokens, a.requestCount(), b.requestCount());

      // A stream: deltas of token ids, pulled one gRPC message at a time.
      try (ResponseStream<GenerateChunk> stream =
          router.generateStream(
              GenerateRequest.builder()
                  .inputIds(TokenIds.of(151644, 872, 198))
                  .sampling(SamplingParams.builder().maxNewTokens(12).ignoreEos(true).build())
                  .build())) {
        StringBuilder line = new StringBuilder("Stream from " + stream.workerId() + ":");
        for (GenerateChunk chunk : stream) {
          line.append(' ').append(chunk.newOutputIds());
          if (chunk.isLast()) {
            line.append(" finish=").append(chunk.finishReason().raw())
                .append(" usage=").append(chunk.usage());
          }
        }
        System.out.println(line);
      }

      // Loads, as a load-aware strategy would poll them.
      for (Worker w : router.workers().list()) {
        WorkerLoad load = grpc.loads(w).join();
        System.out.printf(
            Locale.ROOT, "Load of %s: running=%d waiting=%d kv=%.4f%n",
            w.id(), load.runningRequests(), load.waitingRequests(), load.kvCacheUsage());
      }

      // A fault: both schedulers refuse the next call with UNAVAILABLE (queue full).
      a.enqueue(GrpcFault.status(Status.Code.UNAVAILABLE, "queue full"));
      b.enqueue(GrpcFault.status(Status.Code.UNAVAILABLE, "queue full"));
      try {
        GenerateResult r =
            router.generate(GenerateRequest.builder().inputIds(TokenIds.of(7, 8, 9)).build());
        System.out.println("After a refused attempt, served by " + r.workerId());
      } catch (WorkerException e) {
        System.out.println(
            "Worker error: HTTP-equivalent " + e.statusCode() + ", retryable=" + e.isRetryable());
      }

      // Text prompts cannot go over gRPC: the scheduler API takes token ids only.
      try {
        router.generate(GenerateRequest.ofText("Name a prime number."));
      } catch (RequestRejectedException e) {
        System.out.println("Text prompt refused (" + e.reason() + "): " + e.getMessage());
      }
    }
  }
}
