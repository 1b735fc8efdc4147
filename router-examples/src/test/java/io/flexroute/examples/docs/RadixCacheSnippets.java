package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ApiFlavor;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.Worker;
import io.flexroute.radix.CacheEntry;
import io.flexroute.radix.CacheStats;
import io.flexroute.radix.PrefixMatch;
import io.flexroute.radix.RadixTokenCache;
import io.flexroute.radix.Retrieval;
import io.flexroute.radix.RolloutClient;
import io.flexroute.radix.RolloutRequest;
import io.flexroute.radix.RolloutResult;
import io.flexroute.radix.TokenBoundaries;
import io.flexroute.radix.TrainingSample;
import io.flexroute.radix.WeightVersionMapper;
import io.flexroute.spi.Tokenizer;
import io.flexroute.testkit.ToyTokenizer;
import io.flexroute.testkit.worker.FakeWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The snippets of docs/radix-cache.md, run against fake SGLang workers. */
class RadixCacheSnippets {

  private final ToyTokenizer tokenizer = new ToyTokenizer();

  @Test
  void cacheCalls() {
    String prompt = "<|im_start|>user\nWhat is 6 x 7?<|im_end|>\n<|im_start|>assistant\n";
    String text = prompt + "42<|im_end|>\n";
    int[] tokenIds = tokenizer.encode(text);
    List<String> pieces = tokenizer.decodeEach(tokenIds);
    int promptTokens = tokenizer.encode(prompt).length;
    float[] logprobs = new float[tokenIds.length];
    int[] mask = new int[tokenIds.length];
    Arrays.fill(mask, promptTokens, tokenIds.length, 1);
    int currentVersion = 7;
    int[] ids = new int[tokenIds.length];
    // tag::cache[]
    RadixTokenCache cache = RadixTokenCache.builder()
        .maxCachedTokens(2_000_000)      // token budget (default 10,000, slime's)
        .keepVersions(5)                 // GC window k (default 5)
        .build();

    cache.insert(CacheEntry.builder(text, tokenIds)
        .logprobs(logprobs).lossMask(mask)                 // nullable: 0.0 and 0
        .tokenEnds(TokenBoundaries.fromTokenTexts(text, pieces)) // nullable: boundaries unknown
        .weightVersion(7)                                  // or RadixTokenCache.NO_VERSION (-1)
        .build());

    PrefixMatch m = cache.lookup(prompt);        // tokens, logprobs, mask, versions, remainingText()
    m.copyTokenIds(ids, 0);                      // or m.tokenIds(): one copy either way
    Retrieval r = cache.retrieve(text, tokenizer);    // slime's retrieve_from_text
    TrainingSample s = r.trainingSample(promptTokens);
    cache.gcByWeightVersion(currentVersion);
    CacheStats stats = cache.stats();
    // end::cache[]
    assertThat(m.matchedLength()).isEqualTo(prompt.length());
    assertThat(m.remainingText()).isEmpty();
    assertThat(ids).startsWith(Arrays.copyOf(tokenIds, m.tokenCount()));
    assertThat(r.tokenIds()).containsExactly(tokenIds);
    assertThat(s.responseLength()).isEqualTo(tokenIds.length - promptTokens);
    assertThat(s.lossMask()).containsOnly(1);
    assertThat(stats.cachedTokens()).isEqualTo(tokenIds.length);
  }

  @Test
  void rolloutTurns() {
    List<FakeWorker> fakes = new ArrayList<>();
    List<Worker> sglangWorkers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      FakeWorker fake = FakeWorker.builder().tokenizer(tokenizer).weightVersion("7").start();
      fakes.add(fake);
      sglangWorkers.add(Worker.builder("w" + i, fake.baseUrl()).flavor(ApiFlavor.SGLANG).build());
    }
    try {
      RadixTokenCache cache = RadixTokenCache.builder().maxCachedTokens(100_000).build();
      Tokenizer tokenizer = this.tokenizer;
      String system = "<|im_start|>system\nYou are a careful agent.<|im_end|>\n";
      String user = "<|im_start|>user\nList the files.<|im_end|>\n<|im_start|>assistant\n";
      String toolResult = "\n<tool_response>a.txt b.txt</tool_response>\n";
      // tag::rollout[]
      WeightVersionMapper versions = WeightVersionMapper.standard();
      try (Router router = Router.builder().workers(sglangWorkers).strategy("session_affinity").build();
           RolloutClient rollouts = RolloutClient.builder(router, cache, tokenizer)
               .weightVersionMapper(versions)      // default: a new standard() mapper
               .maxAttempts(5)                     // default 5 (slime)
               .abortBackoff(Duration.ofSeconds(30)) // default 30 s (slime)
               .build()) {
        RolloutResult t1 = rollouts.rollout(RolloutRequest.builder(system + user)
            .sessionId("traj-17")                 // sent as the routing key
            .sampling(SamplingParams.builder().maxNewTokens(512).temperature(1.0).build())
            .build());
        RolloutResult t2 = rollouts.rollout(RolloutRequest.builder(t1.fullText() + toolResult)
            .sessionId("traj-17").build());       // or rolloutAsync(...) for a CompletableFuture
        TrainingSample sample = t2.trainingSample(t1.promptTokenCount());
        cache.gcByWeightVersion(versions.toInt("8"));   // after the trainer pushed version "8"
      }
      // end::rollout[]
      // Both turns went to the worker holding the session's KV cache, and the second turn reused
      // every token of the first from the radix cache.
      assertThat(fakes).extracting(f -> f.requests("/generate").size()).containsExactlyInAnyOrder(0, 2);
      assertThat(cache.stats().hitCount()).isPositive();
    } finally {
      fakes.forEach(FakeWorker::close);
    }
  }
}
