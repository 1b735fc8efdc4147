package io.flexroute.benchmarks.strategy;

import io.flexroute.GenerateRequest;
import io.flexroute.TokenIds;
import io.flexroute.core.strategy.CacheAwareConfig;
import io.flexroute.core.strategy.CacheAwareStrategy;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one cache-aware selection for a 4,096-token prompt: the walk that matches the prompt
 * against the prefix tree, the choice, and the insert that records it for the chosen worker
 * (including the per-worker LRU trimming it triggers), on 16 idle workers.
 *
 * <ul>
 *   <li>{@code repeat}: 64 conversations of 4,096 tokens (a 1,024-token system prompt shared by all
 *       and 3,072 of their own) sent again and again: the whole prompt matches.
 *   <li>{@code extend}: the next turn of one of the 64 conversations (an agent step with a tool
 *       output): its first 3,840 tokens match and 256 new ones become a new leaf; the per-worker
 *       budget (32,768 tokens, or the 131,072 characters they are as text) keeps trimming the
 *       oldest turns, so no turn is still cached when the pool comes round to it again.
 *   <li>{@code fresh}: a new conversation each time: the system prompt matches and 3,072 new
 *       tokens are inserted, then trimmed.
 *   <li>{@code chain}: a conversation's next turn on its worker: its whole previous turn matches
 *       and 256 new tokens extend it. Conversations of 8 turns, prompts of 3,328 to 4,864 tokens
 *       (4,096 on average) in turns 1 to 7; 64 conversations at a time (4 per worker), whose
 *       turns interleave; turn 0 of each (a new conversation) is sent before the timed call,
 *       untimed, with the loads set so that it lands on the conversation's own worker. Older
 *       conversations are trimmed as newer ones grow.
 * </ul>
 *
 * {@code keys=tokens} sends token ids (token-level tree); {@code keys=text} sends the same prompts
 * as text of 4 characters per token (16,384 characters, character-level tree). Prompts cycle
 * through a pool of 4,096 built in advance, so no prompt is built while measuring. {@code
 * prompt=warm} reads the next prompt before each call, as a caller that has just built or
 * tokenised it has; {@code prompt=cold} leaves it in main memory.
 *
 * <p>Run with:
 *
 * <pre>{@code
 * ./mvnw -B -pl router-benchmarks -am package -DskipTests
 * java -jar router-benchmarks/target/benchmarks.jar CacheAwareLongPromptBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class CacheAwareLongPromptBenchmark {

  /** What each prompt shares with the tree. */
  @Param({"repeat", "extend", "fresh", "chain"})
  public String scenario;

  /** Token ids or text. */
  @Param({"tokens", "text"})
  public String keys;

  /**
   * Where the prompt is when the selection starts: {@code warm}, in the CPU caches, as it is when
   * the caller has just built or tokenised it; {@code cold}, in main memory only.
   */
  @Param({"warm", "cold"})
  public String prompt;

  private static final int PROMPT_TOKENS = 4_096;
  private static final int SYSTEM_TOKENS = 1_024;
  private static final int NEW_TOKENS_PER_TURN = 256;
  private static final int CONVERSATIONS = 64;
  private static final int POOL = 4_096;
  private static final long BUDGET_TOKENS = 32_768;
  private static final int CHARS_PER_TOKEN = 4;
  private static final int CHAIN_TURNS = 8;

  private CacheAwareStrategy strategy;
  private List<WorkerView> candidates;
  private RequestView[] requests;
  private int[][] promptIds;
  private String[] promptTexts;
  private int next;
  private boolean[] untimed;
  private int[] homeWorker;
  private boolean warm;
  private int readSink;

  /** Builds the prompt pool and the strategy, and sends every prompt once. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(7);
    int[] system = randomTokens(random, SYSTEM_TOKENS);
    int[][] conversations = new int[CONVERSATIONS][];
    for (int c = 0; c < CONVERSATIONS; c++) {
      conversations[c] = randomTokens(random, PROMPT_TOKENS - SYSTEM_TOKENS);
    }
    int poolSize = scenario.equals("repeat") ? CONVERSATIONS : POOL;
    requests = new RequestView[poolSize];
    promptIds = new int[poolSize][];
    promptTexts = new String[poolSize];
    untimed = new boolean[poolSize];
    homeWorker = new int[poolSize];
    warm = prompt.equals("warm");
    int[] prompt = new int[PROMPT_TOKENS];
    System.arraycopy(system, 0, prompt, 0, SYSTEM_TOKENS);
    int[][] chained = new int[CONVERSATIONS][];
    for (int i = 0; i < poolSize; i++) {
      if (scenario.equals("chain")) {
        // Index i: cycle, then turn, then conversation, so that conversations' turns interleave.
        int conversation = i % CONVERSATIONS;
        int turn = (i / CONVERSATIONS) % CHAIN_TURNS;
        if (turn == 0) {
          chained[conversation] = randomTokens(random, PROMPT_TOKENS);
          System.arraycopy(system, 0, chained[conversation], 0, SYSTEM_TOKENS);
        }
        int length = PROMPT_TOKENS + NEW_TOKENS_PER_TURN * (turn - CHAIN_TURNS / 2);
        int[] ids = new int[length];
        System.arraycopy(chained[conversation], 0, ids, 0, Math.min(length, PROMPT_TOKENS));
        if (length > PROMPT_TOKENS) {
          // The conversation's tokens beyond 4,096, the same in every later turn.
          SplittableRandom own = new SplittableRandom(i - turn * CONVERSATIONS);
          for (int k = PROMPT_TOKENS; k < length; k++) {
            ids[k] = own.nextInt(150_000);
          }
        }
        promptIds[i] = ids;
        requests[i] = request(ids);
        untimed[i] = turn == 0;
        homeWorker[i] = conversation % 16;
        if (keys.equals("text")) {
          promptTexts[i] = new String(requests[i].promptText().toCharArray());
        }
        continue;
      }
      switch (scenario) {
        case "repeat" ->
            System.arraycopy(conversations[i], 0, prompt, SYSTEM_TOKENS, conversations[i].length);
        case "extend" -> {
          int[] own = conversations[i % CONVERSATIONS];
          int kept = PROMPT_TOKENS - SYSTEM_TOKENS - NEW_TOKENS_PER_TURN;
          System.arraycopy(own, 0, prompt, SYSTEM_TOKENS, kept);
          int[] turn = randomTokens(random, NEW_TOKENS_PER_TURN);
          System.arraycopy(turn, 0, prompt, SYSTEM_TOKENS + kept, NEW_TOKENS_PER_TURN);
        }
        case "fresh" -> {
          int[] own = randomTokens(random, PROMPT_TOKENS - SYSTEM_TOKENS);
          System.arraycopy(own, 0, prompt, SYSTEM_TOKENS, own.length);
        }
        default -> throw new IllegalArgumentException(scenario);
      }
      promptIds[i] = prompt.clone();
      requests[i] = request(prompt);
      if (keys.equals("text")) {
        promptTexts[i] = new String(requests[i].promptText().toCharArray());
      }
    }
    candidates = List.copyOf(FakeWorkerView.fleet(16));
    // The same budget for both key kinds: 32,768 tokens, or the characters of as many tokens.
    long budget = keys.equals("tokens") ? BUDGET_TOKENS : BUDGET_TOKENS * CHARS_PER_TOKEN;
    strategy =
        new CacheAwareStrategy(CacheAwareConfig.builder().maxTreeSizePerWorker(budget).build());
    // Place the conversations evenly (4 per worker), as in-flight counts would, then leave every
    // worker idle so that each turn follows its conversation home. (A chain's conversations are
    // placed as they start.)
    int placed = scenario.equals("chain") ? 0 : Math.min(poolSize, CONVERSATIONS);
    for (int i = 0; i < placed; i++) {
      ((FakeWorkerView) strategy.select(requests[i], candidates).worker()).addInFlight(1);
    }
    for (WorkerView w : candidates) {
      ((FakeWorkerView) w).setInFlight(0);
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < poolSize; i++) {
        if (untimed[next]) {
          sendNewConversation();
        } else {
          selectAndInsert();
        }
      }
    }
  }

  private RequestView request(int[] prompt) {
    if (keys.equals("tokens")) {
      return new FakeRequestView(
          GenerateRequest.builder().inputIds(TokenIds.of(prompt)).build(), false);
    }
    StringBuilder text = new StringBuilder(prompt.length * 4);
    for (int token : prompt) {
      // Four characters per token, derived from the token id: equal tokens, equal text.
      text.append((char) ('a' + token % 26))
          .append((char) ('a' + (token / 26) % 26))
          .append((char) ('a' + (token / 676) % 26))
          .append(' ');
    }
    return FakeRequestView.text(text.toString());
  }

  private static int[] randomTokens(SplittableRandom random, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextInt(150_000);
    }
    return out;
  }

  /**
   * Before each selection, sends the first turns of {@code chain} conversations that come next
   * (untimed, see {@link #sendNewConversation}); then, with {@code prompt=warm}, reads the next
   * prompt through the request (comparing it with an equal copy), so that its elements are in the
   * CPU caches; with {@code prompt=cold} does nothing. Both modes time every call on its own, so
   * their figures compare.
   *
   * The comparison's result goes to a field, so the JIT cannot drop the read.
   */
  @Setup(Level.Invocation)
  public void bringPromptIn() {
    while (untimed[next]) {
      sendNewConversation();
    }
    if (!warm) {
      return;
    }
    RequestView r = requests[next];
    TokenIds ids = r.promptTokenIds();
    if (ids != null) {
      int[] same = promptIds[next];
      readSink += ids.commonPrefixLength(0, same, 0, same.length);
    } else {
      readSink += r.promptText().equals(promptTexts[next]) ? 1 : 0;
    }
  }

  /**
   * Sends the first turn of a {@code chain} conversation, untimed, to its own worker: that worker
   * idle and the others busy, so the strategy picks it; then every worker idle again.
   */
  private void sendNewConversation() {
    int i = next;
    for (int w = 0; w < candidates.size(); w++) {
      ((FakeWorkerView) candidates.get(w)).setInFlight(w == homeWorker[i] ? 0 : 1);
    }
    WorkerView chosen = selectAndInsert();
    for (WorkerView w : candidates) {
      ((FakeWorkerView) w).setInFlight(0);
    }
    if (chosen != candidates.get(homeWorker[i])) {
      throw new IllegalStateException("a new conversation did not go to the idle worker");
    }
  }

  /**
   * One selection: match, choose, insert (and trim).
   *
   * @return the chosen worker, so the JIT cannot drop the call
   */
  @Benchmark
  public WorkerView selectAndInsert() {
    int i = next;
    next = i + 1 == requests.length ? 0 : i + 1;
    return strategy.select(requests[i], candidates).worker();
  }
}
