package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RouterException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.WorkerException;
import io.flexroute.spi.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RolloutClientTest {

  private static final String PROMPT =
      "<sys>You are a careful agent.</sys>\nUser: add two and two\nAssistant:";
  private static final String ANSWER = " I will call the calculator.";
  private static final String TOOL = "\nTool: calc(2+2) = 4\nAssistant:";
  private static final String ANSWER_2 = " The answer is four.";

  private final ToyTokenizer toy = new ToyTokenizer();
  private final List<String> encoded = Collections.synchronizedList(new ArrayList<>());
  private final Tokenizer tokenizer =
      Tokenizer.of(
          "recording-toy",
          text -> {
            encoded.add(text);
            return toy.encode(text);
          },
          toy::decode);
  private final FakeRouter fake = new FakeRouter();
  private final RadixTokenCache cache =
      RadixTokenCache.builder().maxCachedTokens(100_000).build();
  private final RecordingSleeper sleeper = new RecordingSleeper();
  private RolloutClient client =
      RolloutClient.builder(fake.router(), cache, tokenizer)
          .executor(Runnable::run)
          .sleeper(sleeper)
          .abortBackoff(Duration.ofSeconds(7))
          .maxAttempts(3)
          .build();

  @AfterEach
  void close() {
    client.close();
  }

  /** Records the pauses asked for and completes them at once. */
  static final class RecordingSleeper implements RolloutClient.Sleeper {
    final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
    volatile CompletableFuture<Void> next;

    @Override
    public CompletableFuture<Void> sleep(Duration duration) {
      pauses.add(duration);
      CompletableFuture<Void> f = next;
      return f != null ? f : CompletableFuture.completedFuture(null);
    }
  }

  private int[] answer(String text) {
    int[] ids = toy.encode(text);
    fake.output(ids, text);
    return ids;
  }

  private static float[] outputLogprobs(int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = FakeRouter.logprob(i);
    }
    return out;
  }

  private static int[] repeat(int value, int n) {
    int[] out = new int[n];
    Arrays.fill(out, value);
    return out;
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void firstTurn_tokenisesThePrompt_sendsIdsWithLogprobs_andCachesPromptPlusOutput() {
    int[] out = answer(ANSWER);
    fake.weightVersion("3");
    int[] prompt = toy.encode(PROMPT);

    RolloutResult r =
        client.rollout(
            RolloutRequest.builder(PROMPT)
                .sessionId("traj-1")
                .model("m")
                .sampling(SamplingParams.builder().maxNewTokens(64).temperature(1.0).build())
                .build());

    assertThat(encoded).containsExactly(PROMPT);
    GenerateRequest sent = fake.requests().get(0);
    assertThat(sent.inputIds()).isEqualTo(TokenIds.of(prompt));
    assertThat(sent.text()).isNull();
    assertThat(sent.returnLogprob()).isTrue();
    assertThat(sent.routingKey()).isEqualTo("traj-1");
    assertThat(sent.model()).isEqualTo("m");
    assertThat(sent.sampling().maxNewTokens()).isEqualTo(64);

    assertThat(r.tokenIds()).containsExactly(concat(prompt, out));
    assertThat(r.promptTokenCount()).isEqualTo(prompt.length);
    assertThat(r.outputTokenCount()).isEqualTo(out.length);
    assertThat(r.cachedTokenCount()).isZero();
    assertThat(r.tokenizedTokenCount()).isEqualTo(prompt.length);
    assertThat(r.lossMask()).containsExactly(concat(repeat(0, prompt.length), repeat(1, out.length)));
    assertThat(r.logprobs()).containsExactly(concat(new float[prompt.length], outputLogprobs(out.length)));
    assertThat(r.weightVersions())
        .containsExactly(concat(repeat(-1, prompt.length), repeat(3, out.length)));
    assertThat(r.weightVersion()).isEqualTo(3);
    assertThat(r.workerWeightVersion()).isEqualTo("3");
    assertThat(r.outputText()).isEqualTo(ANSWER);
    assertThat(r.workerText()).isEqualTo(ANSWER);
    assertThat(r.fullText()).isEqualTo(PROMPT + ANSWER);
    assertThat(r.outputTokenIds()).containsExactly(out);
    assertThat(r.outputLogprobs()).containsExactly(outputLogprobs(out.length));
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.workerId()).isEqualTo("w1");
    assertThat(r.requestId()).isEqualTo("req-1");
    assertThat(r.finishReason().isAbort()).isFalse();
    assertThat(r.tokenBoundariesKnown()).isTrue();
    assertThat(r.toString()).doesNotContain("careful").contains("cached=0");

    PrefixMatch cached = cache.lookup(r.fullText());
    assertThat(cached.remainingText()).isEmpty();
    assertThat(cached.tokenIds()).containsExactly(r.tokenIds());
    assertThat(cached.lossMask()).containsExactly(r.lossMask());
    assertThat(cached.logprobs()).containsExactly(r.logprobs());
    assertThat(cached.weightVersions()).containsExactly(r.weightVersions());
  }

  @Test
  void secondTurn_reusesTheCachedTurn_andTokenisesOnlyTheNewSuffix() {
    answer(ANSWER);
    fake.weightVersion("3");
    RolloutResult t1 = client.rollout(RolloutRequest.builder(PROMPT).sessionId("traj-1").build());
    int[] out2 = answer(ANSWER_2);
    fake.weightVersion("4");
    encoded.clear();

    RolloutResult t2 =
        client.rollout(RolloutRequest.builder(t1.fullText() + TOOL).sessionId("traj-1").build());

    int[] tool = toy.encode(TOOL);
    assertThat(encoded).containsExactly(TOOL);
    assertThat(t2.cachedTokenCount()).isEqualTo(t1.length());
    assertThat(t2.tokenizedTokenCount()).isEqualTo(tool.length);
    assertThat(fake.requests().get(1).inputIds())
        .isEqualTo(TokenIds.of(concat(t1.tokenIds(), tool)));
    assertThat(t2.tokenIds()).containsExactly(concat(t1.tokenIds(), tool, out2));
    // Earlier output keeps mask 1, its logprobs and its version; tool tokens are 0, 0.0, -1.
    assertThat(t2.lossMask())
        .containsExactly(concat(t1.lossMask(), repeat(0, tool.length), repeat(1, out2.length)));
    assertThat(t2.logprobs())
        .containsExactly(
            concat(concat(t1.logprobs(), new float[tool.length]), outputLogprobs(out2.length)));
    assertThat(t2.weightVersions())
        .containsExactly(
            concat(t1.weightVersions(), repeat(-1, tool.length), repeat(4, out2.length)));
    assertThat(t2.fullText()).isEqualTo(PROMPT + ANSWER + TOOL + ANSWER_2);

    // The cache holds the tool tokens without a version, as the result reports them.
    PrefixMatch cached = cache.lookup(t2.fullText() + "\nUser: thanks");
    assertThat(cached.matchedText()).isEqualTo(t2.fullText());
    assertThat(cached.weightVersions()).containsExactly(t2.weightVersions());
    assertThat(cached.lossMask()).containsExactly(t2.lossMask());

    TrainingSample sample = t2.trainingSample(t1.promptTokenCount());
    assertThat(sample.responseLength()).isEqualTo(t2.length() - t1.promptTokenCount());
    assertThat(sample.lossMask())
        .containsExactly(concat(repeat(1, t1.outputTokenCount()), repeat(0, tool.length),
            repeat(1, out2.length)));
  }

  @Test
  void sameQuestion_otherSessions_shareThePrompt() {
    answer(ANSWER);
    client.rollout(RolloutRequest.builder(PROMPT).sessionId("s1").build());
    answer(ANSWER_2);
    encoded.clear();
    RolloutResult other = client.rollout(RolloutRequest.builder(PROMPT).sessionId("s2").build());
    assertThat(encoded).isEmpty();
    assertThat(other.cachedTokenCount()).isEqualTo(toy.encode(PROMPT).length);
    assertThat(other.fullText()).isEqualTo(PROMPT + ANSWER_2);
    // Both answers stay cached side by side.
    assertThat(cache.lookup(PROMPT + ANSWER).remainingText()).isEmpty();
    assertThat(cache.lookup(PROMPT + ANSWER_2).remainingText()).isEmpty();
  }

  @Test
  void abortedGenerations_areRetriedAfterTheBackoff() {
    answer(ANSWER);
    fake.thenAbort("weight update").thenAbort("weight update");
    fake.weightVersion("9");

    RolloutResult r = client.rollout(RolloutRequest.of(PROMPT));

    assertThat(r.attempts()).isEqualTo(3);
    assertThat(r.weightVersion()).isEqualTo(9);
    assertThat(sleeper.pauses).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
    List<GenerateRequest> sent = fake.requests();
    assertThat(sent).hasSize(3);
    assertThat(sent.get(2).inputIds()).isEqualTo(sent.get(0).inputIds());
    assertThat(encoded).hasSize(1); // tokenised once for all attempts
  }

  @Test
  void aSleeperThatThrows_endsTheTurnWithItsError_insteadOfLeavingItWaiting() throws Exception {
    answer(ANSWER);
    fake.thenAbort("weight update");
    try (RolloutClient failing =
        RolloutClient.builder(fake.router(), cache, tokenizer)
            .executor(Runnable::run)
            .sleeper(
                d -> {
                  throw new IllegalStateException("no timer left");
                })
            .build()) {
      CompletableFuture<RolloutResult> turn = failing.rolloutAsync(RolloutRequest.of(PROMPT));

      // The exception came from a callback: it must reach the turn, not vanish with it.
      assertThatThrownBy(() -> turn.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no timer left");
    }
  }

  @Test
  void abortedGenerations_areRetriedABoundedNumberOfTimes_thenFail() {
    answer(ANSWER);
    fake.thenAbort("update 1").thenAbort("update 2").thenAbort("update 3").thenAbort("never");

    assertThatThrownBy(() -> client.rollout(RolloutRequest.of(PROMPT)))
        .isInstanceOfSatisfying(
            RolloutAbortedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(3);
              assertThat(e.workerId()).isEqualTo("w1");
              assertThat(e.abortMessage()).isEqualTo("update 3");
            })
        .isInstanceOf(RouterException.class)
        .hasMessageContaining("aborted on all 3 attempts");
    assertThat(fake.requests()).hasSize(3);
    assertThat(sleeper.pauses).hasSize(2);
    assertThat(cache.stats().cachedTokens()).isZero();
  }

  @Test
  void otherFailures_endTheTurnUnchanged_withoutRetry() {
    WorkerException boom =
        new WorkerException("w1", WorkerException.Kind.HTTP_STATUS, 503, "busy", null, null);
    fake.thenFail(boom);
    assertThatThrownBy(() -> client.rollout(RolloutRequest.of(PROMPT))).isSameAs(boom);
    assertThat(fake.requests()).hasSize(1);
    assertThat(sleeper.pauses).isEmpty();
  }

  @Test
  void async_completesWithTheResult_andCancellingCancelsTheGeneration() throws Exception {
    answer(ANSWER);
    RolloutResult r =
        client.rolloutAsync(RolloutRequest.of(PROMPT)).get(5, TimeUnit.SECONDS);
    assertThat(r.fullText()).isEqualTo(PROMPT + ANSWER);

    CompletableFuture<GenerateResult> hanging = new CompletableFuture<>();
    fake.then(req -> hanging);
    CompletableFuture<RolloutResult> turn = client.rolloutAsync(RolloutRequest.of("other prompt"));
    assertThat(turn).isNotDone();
    turn.cancel(true);
    assertThat(hanging).isCancelled();
  }

  @Test
  void cancellingDuringTheBackoff_cancelsTheWait() {
    answer(ANSWER);
    fake.thenAbort("update");
    CompletableFuture<Void> wait = new CompletableFuture<>();
    sleeper.next = wait;
    CompletableFuture<RolloutResult> turn = client.rolloutAsync(RolloutRequest.of(PROMPT));
    assertThat(sleeper.pauses).hasSize(1);
    turn.cancel(true);
    assertThat(wait).isCancelled();
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void multiByteCharacters_getBoundariesPerCharacter_soTheCacheSplitsBetweenThem() {
    Tokenizer bytes = bytesTokenizer();
    RolloutClient byteClient =
        RolloutClient.builder(fake.router(), cache, bytes).executor(Runnable::run).build();
    String prompt = "Q: \u00fcber caf\u00e9?\nA:";
    String answer = " s\u00fc\u00df \uD83D\uDE00";
    fake.output(bytes.encode(answer), "ignored by the client");

    RolloutResult r = byteClient.rollout(RolloutRequest.of(prompt));

    assertThat(r.outputText()).isEqualTo(answer);
    assertThat(r.workerText()).isEqualTo("ignored by the client");
    assertThat(r.tokenBoundariesKnown()).isTrue();
    assertThat(cache.lookup(r.fullText()).remainingText()).isEmpty();
    // A text that leaves the cached one inside the prompt shares its tokens up to the last whole
    // character: "Q: \u00fc" is 5 byte tokens.
    PrefixMatch partial = cache.lookup("Q: \u00fcbel");
    assertThat(partial.matchedText()).isEqualTo("Q: \u00fcbe");
    assertThat(partial.tokenCount()).isEqualTo("Q: \u00fcbe".getBytes(StandardCharsets.UTF_8).length);
    // Inside the emoji's four byte tokens there is no boundary.
    PrefixMatch emoji = cache.lookup(prompt + " s\u00fc\u00df \uD83D\uDE01");
    assertThat(emoji.matchedText()).isEqualTo(prompt + " s\u00fc\u00df ");
    byteClient.close();
  }

  @Test
  void piecesThatDoNotSpellTheText_cacheTheTurnWithoutBoundaries() {
    // Words joined by spaces when decoded together, bare when decoded alone (as SentencePiece).
    List<String> vocab = Collections.synchronizedList(new ArrayList<>());
    Tokenizer words =
        Tokenizer.of(
            "words",
            text ->
                Arrays.stream(text.trim().split(" +"))
                    .filter(w -> !w.isEmpty())
                    .mapToInt(
                        w -> {
                          synchronized (vocab) {
                            if (!vocab.contains(w)) {
                              vocab.add(w);
                            }
                            return vocab.indexOf(w);
                          }
                        })
                    .toArray(),
            ids -> String.join(" ", IntStream.of(ids).mapToObj(vocab::get).toList()));
    RolloutClient wordClient =
        RolloutClient.builder(fake.router(), cache, words).executor(Runnable::run).build();
    fake.output(words.encode("fine thanks"), "fine thanks");

    RolloutResult t1 = wordClient.rollout(RolloutRequest.of("how are you"));

    assertThat(t1.tokenBoundariesKnown()).isFalse();
    assertThat(t1.outputText()).isEqualTo("fine thanks");
    RolloutResult t2 = wordClient.rollout(RolloutRequest.of(t1.fullText() + " and you"));
    assertThat(t2.cachedTokenCount()).isEqualTo(t1.length());
    wordClient.close();
  }

  @Test
  void badInput_isRejectedWithTypedErrors() {
    assertThatThrownBy(() -> RolloutRequest.of(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("text must not be empty");
    assertThatThrownBy(() -> RolloutRequest.builder("x").sessionId(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sessionId must not be blank");
    assertThatThrownBy(
            () -> RolloutRequest.builder("x").sampling(SamplingParams.builder().n(4).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sampling.n must be 1")
        .hasMessageContaining("but was 4");
    assertThatThrownBy(() -> RolloutRequest.builder("x").timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RolloutClient.builder(fake.router(), cache, tokenizer).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be >= 1, but was 0");
    assertThatThrownBy(
            () ->
                RolloutClient.builder(fake.router(), cache, tokenizer)
                    .abortBackoff(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("abortBackoff must be between 0 and 3650 days, but was PT-1S");
  }

  @Test
  void aPromptWithoutTokens_isRejected() {
    RolloutClient empty =
        RolloutClient.builder(fake.router(), cache, Tokenizer.of(t -> new int[0], ids -> ""))
            .executor(Runnable::run)
            .build();
    assertThatThrownBy(() -> empty.rollout(RolloutRequest.of("   ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encodes to no tokens")
        .hasMessageNotContaining("   ");
    assertThat(fake.requests()).isEmpty();
    empty.close();
  }

  @Test
  void aWorkerWithoutLogprobs_isAnError() {
    fake.then(
        req ->
            CompletableFuture.completedFuture(
                fake.result(
                    req,
                    new int[] {toy.id(" ok")},
                    new double[0],
                    io.flexroute.FinishReason.of("stop"))));
    assertThatThrownBy(() -> client.rollout(RolloutRequest.of(PROMPT)))
        .isInstanceOf(RouterException.class)
        .hasMessageContaining("returned 0 logprobs for 1 output tokens");
  }

  @Test
  void weightVersions_areMappedByTheMapper_andMapperErrorsNamed() {
    answer(ANSWER);
    fake.weightVersion("default");
    RolloutResult first = client.rollout(RolloutRequest.of(PROMPT));
    assertThat(first.weightVersion()).isZero();
    assertThat(client.weightVersionMapper().toInt("default")).isZero();

    RolloutClient broken =
        RolloutClient.builder(fake.router(), cache, tokenizer)
            .executor(Runnable::run)
            .weightVersionMapper(v -> -5)
            .build();
    assertThatThrownBy(() -> broken.rollout(RolloutRequest.of(PROMPT + " again")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "weightVersionMapper must return a version >= 0, but returned -5 for the worker's"
                + " version 'default'");
    broken.close();
  }

  @Test
  void closedClient_refusesTurns() {
    client.close();
    client.close();
    assertThatThrownBy(() -> client.rollout(RolloutRequest.of(PROMPT)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the rollout client is closed");
  }

  @Test
  void concurrentSessions_onTheDefaultExecutor_allComplete() throws Exception {
    answer(ANSWER);
    client = RolloutClient.builder(fake.router(), cache, tokenizer).build();
    List<CompletableFuture<RolloutResult>> trajectories = new ArrayList<>();
    for (int s = 0; s < 16; s++) {
      String session = "s" + s;
      CompletableFuture<RolloutResult> f =
          client.rolloutAsync(
              RolloutRequest.builder(PROMPT + " Session " + s + ".").sessionId(session).build());
      for (int turn = 0; turn < 3; turn++) {
        f =
            f.thenCompose(
                prev ->
                    client.rolloutAsync(
                        RolloutRequest.builder(prev.fullText() + TOOL).sessionId(session).build()));
      }
      trajectories.add(f);
    }
    for (CompletableFuture<RolloutResult> f : trajectories) {
      RolloutResult last = f.get(10, TimeUnit.SECONDS);
      assertThat(last.cachedTokenCount()).isGreaterThan(0);
      PrefixMatch cached = cache.lookup(last.fullText());
      assertThat(cached.tokenIds()).containsExactly(last.tokenIds());
      assertThat(cached.lossMask()).containsExactly(last.lossMask());
    }
  }

  static Tokenizer bytesTokenizer() {
    return Tokenizer.of(
        "bytes",
        text -> {
          byte[] b = text.getBytes(StandardCharsets.UTF_8);
          int[] ids = new int[b.length];
          for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xff;
          }
          return ids;
        },
        ids -> {
          byte[] b = new byte[ids.length];
          for (int i = 0; i < ids.length; i++) {
            b[i] = (byte) ids[i];
          }
          return new String(b, StandardCharsets.UTF_8);
        });
  }

  @Test
  void anUncachedRestThatEncodesToNoTokens_failsTheTurnInsteadOfDroppingItsText() {
    answer(ANSWER);
    RolloutResult first = client.rollout(RolloutRequest.builder(PROMPT).build());
    Tokenizer strips =
        Tokenizer.of(
            "strips-blanks", text -> text.isBlank() ? new int[0] : toy.encode(text), toy::decode);
    RolloutClient stripping =
        RolloutClient.builder(fake.router(), cache, strips).executor(Runnable::run).build();
    try {
      int requestsBefore = fake.requests().size();
      assertThatThrownBy(
              () -> stripping.rollout(RolloutRequest.builder(first.fullText() + "\n\n").build()))
          .hasStackTraceContaining("IllegalArgumentException")
          .hasStackTraceContaining("encodes to no tokens");
      assertThat(fake.requests()).hasSize(requestsBefore);
    } finally {
      stripping.close();
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void anErrorWhileRecordingTheTurn_reachesTheCaller_insteadOfLeavingItWaiting() {
    Tokenizer broken =
        new Tokenizer() {
          @Override
          public int[] encode(String text) {
            return toy.encode(text);
          }

          @Override
          public String decode(int[] tokenIds) {
            throw new UnsatisfiedLinkError("no tokenizers native library for this platform");
          }
        };
    fake.output(toy.encode(" Seven."), " Seven.");
    try (RolloutClient c =
        RolloutClient.builder(fake.router(), cache, broken).executor(Runnable::run).build()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> c.rollout(RolloutRequest.builder("User: a prime\nAssistant:").build()))
          .isInstanceOf(UnsatisfiedLinkError.class);
    }
  }
}
