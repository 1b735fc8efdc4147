package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.WeightVersionSpan;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout path's weight-version coupling: turns can require a version, training samples carry
 * the version of every token and tell off-policy ones apart, and a version bump collects the cache.
 */
class RolloutWeightVersionTest {

  private static final String PROMPT = "<sys>Be brief.</sys>\nUser: name a prime\nAssistant:";
  private static final String OTHER = "<sys>Be brief.</sys>\nUser: name a colour\nAssistant:";
  private static final String ANSWER = " Seven.";
  private static final String TOOL = "\nTool: ok\nAssistant:";
  private static final String ANSWER_2 = " Thirteen.";

  private final ToyTokenizer toy = new ToyTokenizer();
  private final FakeRouter fake = new FakeRouter();
  private final RadixTokenCache cache =
      RadixTokenCache.builder().maxCachedTokens(100_000).keepVersions(0).build();
  private RolloutClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private RolloutClient client(boolean gcOnBump) {
    client =
        RolloutClient.builder(fake.router(), cache, toy)
            .executor(Runnable::run)
            .gcOnWeightVersionBump(gcOnBump)
            .build();
    return client;
  }

  private RolloutResult turn(String text, @Nullable String version, String answer) {
    fake.weightVersion(version).output(toy.encode(answer), answer);
    return client.rollout(RolloutRequest.builder(text).sessionId("s").build());
  }

  @Test
  void minWeightVersion_isSentWithTheGeneration() {
    client(false);
    fake.output(toy.encode(ANSWER), ANSWER);

    client.rollout(RolloutRequest.builder(PROMPT).minWeightVersion("5").build());

    assertThat(fake.requests()).singleElement()
        .satisfies(r -> assertThat(r.minWeightVersion()).isEqualTo("5"));
    assertThatThrownBy(() -> RolloutRequest.builder(PROMPT).minWeightVersion(""))
        .hasMessage("minWeightVersion must not be blank");
    assertThat(RolloutRequest.builder(PROMPT).minWeightVersion("5").build().toBuilder().build()
        .minWeightVersion()).isEqualTo("5");
  }

  @Test
  void trainingSamples_carryVersionsAndTellOffPolicyTokensApart() {
    client(false);
    RolloutResult t1 = turn(PROMPT, "3", ANSWER);
    RolloutResult t2 = turn(t1.fullText() + TOOL, "4", ANSWER_2);

    TrainingSample sample = t2.trainingSample(t1.promptTokenCount());

    int[] all = t2.weightVersions();
    assertThat(sample.responseWeightVersions())
        .containsExactly(Arrays.copyOfRange(all, t1.promptTokenCount(), all.length));
    assertThat(sample.trainedTokenCount())
        .isEqualTo(t1.outputTokenCount() + t2.outputTokenCount());
    assertThat(sample.oldestTrainedVersion()).isEqualTo(3);
    assertThat(sample.newestTrainedVersion()).isEqualTo(4);
    assertThat(sample.isOnPolicy(3)).isTrue();
    assertThat(sample.isOnPolicy(4)).isFalse();
    assertThat(sample.offPolicyTokenCount(4)).isEqualTo(t1.outputTokenCount());
    assertThat(sample.offPolicyTokenCount(5))
        .isEqualTo(t1.outputTokenCount() + t2.outputTokenCount());
    assertThatThrownBy(() -> sample.offPolicyTokenCount(-1))
        .isInstanceOf(IllegalArgumentException.class);
    // Tool tokens (mask 0) have no version and do not count.
    assertThat(t2.trainingSample(t2.promptTokenCount()).isOnPolicy(4)).isTrue();
  }

  @Test
  void aGenerationAcrossAWeightUpdate_keepsTheVersionOfEveryToken_inTheResultAndTheCache() {
    client(false);
    int[] out = toy.encode(ANSWER_2);
    int cut = out.length / 2;
    fake.spans(List.of(new WeightVersionSpan("3", 0, cut), new WeightVersionSpan("4", cut, out.length)));

    RolloutResult t = turn(PROMPT, "4", ANSWER_2);

    int prompt = t.promptTokenCount();
    int[] outVersions = Arrays.copyOfRange(t.weightVersions(), prompt, prompt + out.length);
    int[] expected = new int[out.length];
    Arrays.fill(expected, 0, cut, 3);
    Arrays.fill(expected, cut, out.length, 4);
    assertThat(outVersions).containsExactly(expected);
    assertThat(t.trainingSample(prompt).offPolicyTokenCount(4)).isEqualTo(cut);
    // The cache holds the two runs apart: a later turn's lookup gives the same versions.
    PrefixMatch cached = cache.lookup(t.fullText());
    assertThat(cached.matchedLength()).isEqualTo(t.fullText().length());
    assertThat(Arrays.copyOfRange(cached.weightVersions(), prompt, prompt + out.length))
        .containsExactly(expected);
  }

  @Test
  void withoutTokenBoundaries_aGenerationAcrossAnUpdateIsCachedUnderItsOldestVersion() {
    // Single tokens decode without their leading space (as SentencePiece decoders do), so the
    // output's token boundaries are unknown and the runs cannot be cut out of its text.
    io.flexroute.spi.Tokenizer stripping =
        new io.flexroute.spi.Tokenizer() {
          @Override
          public int[] encode(String text) {
            return toy.encode(text);
          }

          @Override
          public String decode(int[] tokenIds) {
            String text = toy.decode(tokenIds);
            return tokenIds.length == 1 ? text.strip() : text;
          }
        };
    client =
        RolloutClient.builder(fake.router(), cache, stripping).executor(Runnable::run).build();
    int[] out = toy.encode(ANSWER_2);
    int cut = out.length / 2;
    fake.spans(List.of(new WeightVersionSpan("3", 0, cut), new WeightVersionSpan("4", cut, out.length)));

    RolloutResult t = turn(PROMPT, "4", ANSWER_2);

    int prompt = t.promptTokenCount();
    assertThat(t.weightVersions()[prompt]).isEqualTo(3);
    assertThat(t.weightVersions()[prompt + out.length - 1]).isEqualTo(4);
    PrefixMatch cached = cache.lookup(t.fullText());
    assertThat(cached.matchedLength()).isEqualTo(t.fullText().length());
    assertThat(Arrays.copyOfRange(cached.weightVersions(), prompt, prompt + out.length))
        .containsOnly(3);
  }

  @Test
  void labelsSeenFirstInSpans_areNumberedInTheSpansOrder() {
    client(false);
    int[] out = toy.encode(ANSWER_2);
    int cut = out.length / 2;
    fake.spans(List.of(
        new WeightVersionSpan("step-300", 0, cut), new WeightVersionSpan("step-400", cut, out.length)));

    RolloutResult t = turn(PROMPT, "step-400", ANSWER_2);

    int prompt = t.promptTokenCount();
    int older = t.weightVersions()[prompt];
    int newer = t.weightVersions()[prompt + out.length - 1];
    assertThat(older).isLessThan(newer);
    assertThat(t.weightVersion()).isEqualTo(newer);
    assertThat(client.weightVersionMapper().toInt("step-300")).isEqualTo(older);
  }

  @Test
  void tokensNoSpanCovers_haveNoVersion() {
    client(false);
    int[] out = toy.encode(ANSWER_2);
    fake.spans(List.of(new WeightVersionSpan("4", 1, out.length)));

    RolloutResult t = turn(PROMPT, "4", ANSWER_2);

    int prompt = t.promptTokenCount();
    assertThat(t.weightVersions()[prompt]).isEqualTo(RadixTokenCache.NO_VERSION);
    assertThat(t.weightVersions()[prompt + 1]).isEqualTo(4);
    assertThat(t.trainingSample(prompt).isOnPolicy(0)).isFalse();
  }

  @Test
  void generatedTokensWithoutAVersion_areNeverOnPolicy() {
    client(false);
    RolloutResult unversioned = turn(PROMPT, null, ANSWER);
    RadixTokenCache plain = RadixTokenCache.builder().build();

    TrainingSample sample = unversioned.trainingSample(0);
    TrainingSample retrieved = plain.retrieve(unversioned.fullText(), toy).trainingSample(0);

    assertThat(sample.oldestTrainedVersion()).isEqualTo(RadixTokenCache.NO_VERSION);
    assertThat(sample.trainedTokenCount()).isEqualTo(unversioned.outputTokenCount());
    assertThat(sample.isOnPolicy(0)).isFalse();
    // A retrieval of text the cache never saw has no trained tokens at all.
    assertThat(retrieved.trainedTokenCount()).isZero();
    assertThat(retrieved.isOnPolicy(0)).isTrue();
  }

  @Test
  void versionBump_collectsTheCacheOncePerNewerVersion() {
    client(true);
    assertThat(fake.versionListenerCount()).isEqualTo(1);
    RolloutResult old = turn(OTHER, "1", ANSWER);
    RolloutResult live = turn(PROMPT, "2", ANSWER_2);
    long before = cache.stats().cachedTokens();

    fake.versionChanged("w0", "1", "2");

    // keepVersions(0): GC(2) drops what only version 1 walked through; version 2 stays whole.
    assertThat(cache.stats().cachedTokens()).isLessThan(before);
    assertThat(cache.lookup(old.fullText()).remainingText()).isNotEmpty();
    assertThat(cache.lookup(live.fullText()).remainingText()).isEmpty();

    // Another worker reaching the same version collects nothing more.
    cache.insert("late v1 text", toy.encode("late v1 text"), null, null, 1);
    fake.versionChanged("w1", "1", "2");
    assertThat(cache.lookup("late v1 text").remainingText()).isEmpty();

    fake.versionChanged("w1", "2", "3");
    assertThat(cache.lookup("late v1 text").remainingText()).isNotEmpty();
  }

  @Test
  void closedClient_stopsCollecting() {
    client(true);
    turn(PROMPT, "1", ANSWER);
    long before = cache.stats().cachedTokens();

    client.close();
    fake.versionChanged("w0", "1", "9");

    assertThat(fake.versionListenerCount()).isZero();
    assertThat(cache.stats().cachedTokens()).isEqualTo(before);
  }

  @Test
  void aTurnWhosePrefixWasCollectedDuringItsGenerationIsNotCachedUnderItsVersion() {
    client(false);
    RolloutResult first = turn(PROMPT, "1", ANSWER);
    String second = first.fullText() + TOOL;
    int[] answer2 = toy.encode(ANSWER_2);
    fake.weightVersion("2");
    // While the second turn generates, a GC removes the first turn's tokens (version 1).
    fake.then(
        r -> {
          cache.gcByWeightVersion(10);
          double[] lps = new double[answer2.length];
          return java.util.concurrent.CompletableFuture.completedFuture(
              fake.result(
                  r, answer2, lps,
                  new io.flexroute.FinishReason(
                      io.flexroute.FinishReason.Type.STOP, "stop", null, null, null)));
        });
    fake.output(answer2, ANSWER_2);

    RolloutResult t2 = client.rollout(RolloutRequest.builder(second).sessionId("s").build());

    // The result is exact: the first answer's tokens keep version 1, the new ones get 2.
    assertThat(t2.weightVersions()).contains(1, 2);
    // The cache did not take the first turn's tokens back under version 2 (nor without one).
    // The GC took the whole first turn (its traverse version is 1), so nothing of it is cached.
    PrefixMatch match = cache.lookup(t2.fullText());
    assertThat(match.tokenIds()).isEmpty();
  }

  @Test
  void insertIfPrefixCached_insertsOnlyOverTheCachedPrefix() {
    int[] ids = toy.encode(PROMPT);
    int[] more = toy.encode(PROMPT + ANSWER);
    assertThat(cache.insertIfPrefixCached(CacheEntry.builder(PROMPT, ids).build(), 1))
        .isEqualTo(-1);
    assertThat(cache.stats().cachedTokens()).isZero();
    assertThat(cache.insertIfPrefixCached(CacheEntry.builder(PROMPT, ids).build(), 0))
        .isEqualTo(ids.length);
    assertThat(
            cache.insertIfPrefixCached(
                CacheEntry.builder(PROMPT + ANSWER, more).weightVersion(3).build(), ids.length))
        .isEqualTo(more.length - ids.length);
    assertThatThrownBy(
            () -> cache.insertIfPrefixCached(CacheEntry.builder(PROMPT, ids).build(), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefixTokens");
  }
}
