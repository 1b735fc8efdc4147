package io.flexroute.testkit.sim.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import io.flexroute.testkit.sim.EngineProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EngineTest {

  private final EventLoop loop = new EventLoop();
  private final List<EngineRequest> finished = new ArrayList<>();
  private final SplittableRandom random = new SplittableRandom(7);
  private int waitingAtFirstToken = -1;
  private Engine engine;

  private Engine engine(EngineProfile profile) {
    engine =
        new Engine(
            profile,
            loop,
            new Engine.Listener() {
              @Override
              public void firstToken(EngineRequest request, long nowNanos) {
                if (waitingAtFirstToken < 0) {
                  waitingAtFirstToken = engine.waiting();
                }
              }

              @Override
              public void finished(EngineRequest request, long nowNanos) {
                finished.add(request);
              }
            });
    return engine;
  }

  private int[] tokens(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = 1000 + random.nextInt(30_000);
    }
    return out;
  }

  private static EngineRequest request(int[] prompt, int[] output) {
    int[] seq = Arrays.copyOf(prompt, prompt.length + output.length);
    System.arraycopy(output, 0, seq, prompt.length, output.length);
    return new EngineRequest(seq, prompt.length, null);
  }

  private EngineRequest runAlone(Engine e, EngineRequest r) {
    e.submit(r);
    loop.run(Long.MAX_VALUE);
    return r;
  }

  private static long ttft(EngineRequest r) {
    return r.firstTokenNanos() - r.submittedNanos();
  }

  private static double interTokenNanos(EngineRequest r) {
    return (r.finishedNanos() - r.firstTokenNanos()) / (double) (r.outputLength() - 1);
  }

  @Test
  void prefillTimeGrowsWithUncachedPromptTokens() {
    EngineProfile profile = EngineProfile.defaults();
    Engine e = engine(profile);
    EngineRequest small = runAlone(e, request(tokens(1000), tokens(2)));
    int[] prompt = tokens(4000);
    EngineRequest large = runAlone(e, request(prompt, tokens(2)));
    EngineRequest cached = runAlone(e, request(prompt, tokens(2)));

    assertThat(ttft(small)).isEqualTo(profile.prefillNanos(0, 1000));
    assertThat(ttft(large)).isEqualTo(profile.prefillNanos(0, 4000));
    assertThat(ttft(large)).isGreaterThan(3 * ttft(small));
    assertThat(cached.cachedTokens()).isEqualTo(3984);
    assertThat(ttft(cached)).isEqualTo(profile.prefillNanos(3984, 16));
    assertThat(ttft(cached)).isLessThan(ttft(large) / 10);
  }

  @Test
  void longPromptsArePrefilledInChunksOfTheIterationBudget() {
    EngineProfile profile = EngineProfile.builder().maxBatchedTokens(1000).build();
    EngineRequest r = runAlone(engine(profile), request(tokens(2500), tokens(2)));

    long expected =
        profile.iterationNanos(1000, 1000 * 1001 / 2.0, 1000, 1)
            + profile.iterationNanos(1000, 1000 * 1000 + 1000 * 1001 / 2.0, 2000, 1)
            + profile.iterationNanos(500, 500 * 2000 + 500 * 501 / 2.0, 2500, 1);
    assertThat(ttft(r)).isEqualTo(expected);
  }

  @Test
  void interTokenLatencyGrowsWithBatchSize() {
    Engine single = engine(EngineProfile.defaults());
    EngineRequest alone = runAlone(single, request(tokens(8000), tokens(200)));

    Engine batched = engine(EngineProfile.defaults());
    List<EngineRequest> batch = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      EngineRequest r = request(tokens(8000), tokens(200));
      batch.add(r);
      batched.submit(r);
    }
    loop.run(Long.MAX_VALUE);

    // The last request admitted decodes after every prefill is done: its steps are pure decode.
    EngineRequest last = batch.get(batch.size() - 1);
    assertThat(interTokenNanos(alone))
        .isCloseTo(EngineProfile.defaults().decodeStepNanos(1, 8100), withPercentage(2));
    assertThat(interTokenNanos(last)).isGreaterThan(2 * interTokenNanos(alone));
  }

  @Test
  void requestsSubmittedTogetherShareAnIteration() {
    Engine e = engine(EngineProfile.defaults());
    EngineRequest a = request(tokens(100), tokens(3));
    EngineRequest b = request(tokens(100), tokens(3));
    e.submit(a);
    e.submit(b);
    loop.run(Long.MAX_VALUE);

    assertThat(a.firstTokenNanos()).isEqualTo(b.firstTokenNanos());
    assertThat(e.iterations()).isEqualTo(3);
  }

  @Test
  void evictsLeastRecentlyUsedPrefixesWhenTheCacheIsFull() {
    EngineProfile small = EngineProfile.builder().kvCapacityTokens(4096).build();
    Engine e = engine(small);
    int[] prompt = tokens(2000);
    runAlone(e, request(prompt, tokens(10)));
    runAlone(e, request(tokens(3000), tokens(10)));
    EngineRequest again = runAlone(e, request(prompt, tokens(10)));

    Engine roomy = engine(EngineProfile.defaults());
    runAlone(roomy, request(prompt, tokens(10)));
    runAlone(roomy, request(tokens(3000), tokens(10)));
    EngineRequest roomyAgain = runAlone(roomy, request(prompt, tokens(10)));

    assertThat(roomyAgain.cachedTokens()).isEqualTo(1984);
    // 256 blocks: the second prompt took 189 (its last for a decoded token), the first kept its
    // head.
    assertThat(again.cachedTokens()).isEqualTo((256 - 189) * 16);
    assertThat(e.pool().evictions()).isGreaterThan(0);
  }

  @Test
  void queuesWhenTheRunningBatchIsFull() {
    Engine e = engine(EngineProfile.builder().maxRunningRequests(1).build());
    EngineRequest first = request(tokens(500), tokens(20));
    EngineRequest second = request(tokens(500), tokens(20));
    e.submit(first);
    e.submit(second);
    loop.run(Long.MAX_VALUE);

    assertThat(waitingAtFirstToken).isEqualTo(1);
    assertThat(second.firstTokenNanos()).isGreaterThan(first.finishedNanos());
    assertThat(finished).containsExactly(first, second);
  }

  @Test
  void queuesWhenTheKvCacheIsFull() {
    Engine e = engine(EngineProfile.builder().kvCapacityTokens(2048).admissionWatermark(0).build());
    EngineRequest first = request(tokens(1500), tokens(20));
    EngineRequest second = request(tokens(1500), tokens(20));
    e.submit(first);
    e.submit(second);
    loop.run(Long.MAX_VALUE);

    assertThat(second.firstTokenNanos()).isGreaterThan(first.finishedNanos());
    assertThat(e.preemptions()).isZero();
  }

  @Test
  void preemptsTheNewestRequestWhenDecodingRunsOutOfBlocks() {
    Engine e = engine(EngineProfile.builder().kvCapacityTokens(1024).admissionWatermark(0).build());
    EngineRequest older = request(tokens(300), tokens(400));
    EngineRequest newer = request(tokens(300), tokens(400));
    e.submit(older);
    e.submit(newer);
    loop.run(Long.MAX_VALUE);

    assertThat(e.preemptions()).isPositive();
    assertThat(newer.preemptions()).isPositive();
    assertThat(older.preemptions()).isZero();
    assertThat(finished).containsExactlyInAnyOrder(older, newer);
    assertThat(e.running()).isZero();
    assertThat(e.pool().usage()).isZero();
  }
}
