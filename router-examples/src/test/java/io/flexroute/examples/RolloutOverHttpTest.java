package io.flexroute.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.ApiFlavor;
import io.flexroute.HealthState;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.Worker;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.radix.RadixTokenCache;
import io.flexroute.radix.RolloutClient;
import io.flexroute.radix.RolloutRequest;
import io.flexroute.radix.RolloutResult;
import io.flexroute.testkit.ToyTokenizer;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.RecordedRequest;
import io.flexroute.transport.http.WorkerTokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rollout path end to end: fake SGLang workers on loopback, the HTTP transport, the router. */
class RolloutOverHttpTest {

  private final ToyTokenizer shared = new ToyTokenizer();
  private final List<FakeWorker> fakes = new ArrayList<>();
  private final List<Worker> workers = new ArrayList<>();

  @BeforeEach
  void start() {
    for (int i = 0; i < 2; i++) {
      FakeWorker fake = FakeWorker.builder().tokenizer(shared).weightVersion("5").start();
      fakes.add(fake);
      workers.add(Worker.builder("w" + i, fake.baseUrl()).flavor(ApiFlavor.SGLANG).build());
    }
  }

  @AfterEach
  void stop() {
    fakes.forEach(FakeWorker::close);
  }

  @Test
  void workerTokenizer_agreesWithTheWorkersOwnTokenizer() {
    String text = "<|im_start|>user\nHello, world! 42 tools<|im_end|>\n";
    try (WorkerTokenizer remote = WorkerTokenizer.of(workers.get(0))) {
      int[] ids = remote.encode(text);
      assertThat(ids).containsExactly(shared.encode(text));
      assertThat(remote.decode(ids)).isEqualTo(text);
      assertThat(String.join("", remote.decodeEach(ids))).isEqualTo(text);
      assertThat(remote.decodeEach(ids)).hasSize(ids.length);
    }
    RecordedRequest tokenize = fakes.get(0).requests("/tokenize").get(0);
    assertThat(tokenize.json().path("add_special_tokens").asBoolean(true)).isFalse();
  }

  @Test
  void sessions_stayOnTheirWorker_andEachTurnSendsTheCachedTokensPlusTheSuffix() throws Exception {
    RadixTokenCache cache = RadixTokenCache.builder().maxCachedTokens(100_000).build();
    try (Router router = Router.builder().workers(workers).strategy("session_affinity").build();
        RolloutClient rollouts = RolloutClient.builder(router, cache, shared).build()) {
      for (int s = 0; s < 4; s++) {
        String text = "<|im_start|>user\nSession " + s + " task.<|im_end|>\n<|im_start|>assistant\n";
        List<RolloutResult> turns = new ArrayList<>();
        for (int turn = 0; turn < 3; turn++) {
          RolloutResult r =
              rollouts.rollout(
                  RolloutRequest.builder(text)
                      .sessionId("s" + s)
                      .sampling(SamplingParams.builder().maxNewTokens(12).seed(s * 10L + turn).build())
                      .build());
          turns.add(r);
          text = r.fullText() + "\n<tool_response>ok " + turn + "</tool_response>\n";
        }
        assertThat(turns).extracting(RolloutResult::workerId).containsOnly(turns.get(0).workerId());
        assertThat(turns.get(2).cachedTokenCount()).isEqualTo(turns.get(1).length());
        assertThat(turns.get(2).weightVersion()).isEqualTo(5);
        assertThat(turns.get(2).logprobs()).contains(turns.get(1).outputLogprobs());

        // What the worker received for the last turn: the previous turn's exact tokens first.
        FakeWorker served = fakes.get(Integer.parseInt(turns.get(0).workerId().substring(1)));
        List<RecordedRequest> generates = served.requests("/generate");
        JsonNode last = generates.get(generates.size() - 1).json();
        assertThat(last.path("return_logprob").asBoolean()).isTrue();
        int[] sent = IntStream.range(0, last.path("input_ids").size())
            .map(i -> last.path("input_ids").get(i).asInt())
            .toArray();
        int[] previous = turns.get(1).tokenIds();
        assertThat(sent).startsWith(previous);
        assertThat(sent).containsExactly(
            java.util.Arrays.copyOf(turns.get(2).tokenIds(), turns.get(2).promptTokenCount()));
      }
    }
  }

  @Test
  void aSessionMovesWhenItsWorkerIsUnhealthy_andStillReusesTheCache() throws Exception {
    RadixTokenCache cache = RadixTokenCache.builder().maxCachedTokens(100_000).build();
    try (Router router =
            Router.builder()
                .workers(workers)
                .strategy("session_affinity")
                .defaultTimeout(Duration.ofSeconds(10))
                .build();
        RolloutClient rollouts = RolloutClient.builder(router, cache, shared).build()) {
      RolloutResult first =
          rollouts.rollout(RolloutRequest.builder("<|im_start|>user\nHi<|im_end|>\n").sessionId("s").build());
      int pinned = Integer.parseInt(first.workerId().substring(1));
      fakes.get(pinned).setHealthy(false);
      assertThat(router.checkHealth(first.workerId()).get(10, TimeUnit.SECONDS))
          .isEqualTo(HealthState.UNHEALTHY);

      RolloutResult second =
          rollouts.rollout(RolloutRequest.builder(first.fullText() + "\nmore").sessionId("s").build());

      assertThat(second.workerId()).isEqualTo("w" + (1 - pinned));
      assertThat(second.cachedTokenCount()).isEqualTo(first.length());
    }
  }

  @Test
  void aTurnThatRunsAcrossAWeightUpdate_knowsWhichWeightsMadeEachToken() throws Exception {
    FakeWorker fake =
        FakeWorker.builder()
            .tokenizer(shared)
            .weightVersion("5")
            .interTokenDelay(Duration.ofMillis(20))
            .weightVersionSpans(true)
            .start();
    fakes.add(fake);
    RadixTokenCache cache = RadixTokenCache.builder().maxCachedTokens(100_000).build();
    try (Router router =
            Router.builder()
                .worker(Worker.builder("u", fake.baseUrl()).flavor(ApiFlavor.SGLANG).build())
                .build();
        RolloutClient rollouts = RolloutClient.builder(router, cache, shared).build()) {
      java.util.concurrent.CompletableFuture<RolloutResult> running =
          rollouts.rolloutAsync(
              RolloutRequest.builder("<|im_start|>user\nCount to ten.<|im_end|>\n")
                  .sampling(SamplingParams.builder().maxNewTokens(64).ignoreEos(true).build())
                  .build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (fake.generatedTokens() < 3 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polling the worker's count
      }
      assertThat(fake.generatedTokens()).isGreaterThanOrEqualTo(3);

      // The trainer's step: pause keeping the running generation, load new weights, continue.
      router.fleet().pauseGeneration(PauseMode.IN_PLACE, Broadcast.all()).orThrow();
      router.fleet()
          .updateWeightsFromDisk(
              UpdateWeightsFromDisk.builder("/ckpt/6").weightVersion("6").build(),
              Broadcast.builder().drainTimeout(Duration.ZERO).build())
          .orThrow();
      router.fleet().continueGeneration(Broadcast.all()).orThrow();
      RolloutResult turn = running.get(30, TimeUnit.SECONDS);

      int prompt = turn.promptTokenCount();
      int[] versions = java.util.Arrays.copyOfRange(turn.weightVersions(), prompt, turn.length());
      assertThat(versions).hasSize(64);
      int oldTokens = (int) java.util.Arrays.stream(versions).filter(v -> v == 5).count();
      // The pause lands while the generation runs: 64 tokens 20 ms apart leave over a second.
      assertThat(oldTokens).isBetween(3, 63);
      for (int i = 0; i < versions.length; i++) {
        assertThat(versions[i]).as("token " + i).isEqualTo(i < oldTokens ? 5 : 6);
      }
      assertThat(turn.weightVersion()).isEqualTo(6);
      assertThat(turn.trainingSample(prompt).offPolicyTokenCount(6)).isEqualTo(oldTokens);
      // The next turn's lookup returns the same versions.
      int[] cached = cache.lookup(turn.fullText()).weightVersions();
      assertThat(java.util.Arrays.copyOfRange(cached, prompt, turn.length())).containsExactly(versions);
    }
  }
}
