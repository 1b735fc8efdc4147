package io.flexroute.testkit.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Generates traces: multi-turn RL rollouts, chat sessions, and conversations sharing one system
 * prompt. Token contents are random ids in [{@link TokenText#FIRST_CONTENT_ID}, {@code
 * FIRST_CONTENT_ID + CONTENT_VOCABULARY}), so two conversations share a prefix exactly where the
 * trace's structure says they do (a system prompt, a prompt sampled several times) and nowhere
 * else; {@link TokenText} gives their text.
 *
 * <p>Generation is deterministic: the same settings and seed give the same trace, token for token,
 * in every process (it draws from one {@link SplittableRandom} in a fixed order). Shared prompts
 * are stored once and referenced by every conversation that starts with them.
 *
 * <p>Thread-safe: the class is stateless.
 */
public final class TraceGenerator {

  private TraceGenerator() {}

  /**
   * Generates multi-turn RL rollouts. Conversations are named {@code rollout-p<prompt>-s<sample>},
   * ordered by prompt then sample, all due at the start (a rollout batch is submitted at once),
   * with their id as routing key.
   *
   * @param config the shape of the trace
   * @param seed the seed
   * @return the trace, named {@code multi-turn-rollouts}
   */
  public static Trace rollouts(RolloutTraceConfig config, long seed) {
    Objects.requireNonNull(config, "config");
    SplittableRandom random = new SplittableRandom(seed);
    int[][] systems = new int[config.systemPrompts()][];
    for (int i = 0; i < systems.length; i++) {
      systems[i] = tokens(random, config.systemPromptTokens().draw(random));
    }
    List<Conversation> out = new ArrayList<>(config.conversations());
    for (int p = 0; p < config.prompts(); p++) {
      int[] system = systems[random.nextInt(systems.length)];
      int[] task = tokens(random, config.promptTokens().draw(random));
      for (int s = 0; s < config.samplesPerPrompt(); s++) {
        Conversation.Builder b = Conversation.builder("rollout-p" + p + "-s" + s);
        int turns = config.turns().draw(random);
        int[][] input = {system, task};
        long think = 0;
        for (int t = 0; t < turns; t++) {
          int[] output = tokens(random, config.outputTokens().draw(random));
          b.addShared(think, input, output);
          if (t + 1 < turns) {
            input = new int[][] {tokens(random, config.toolOutputTokens().draw(random))};
            think = config.toolLatency().drawNanos(random);
          }
        }
        out.add(b.build());
      }
    }
    return Trace.of("multi-turn-rollouts", out);
  }

  /**
   * Generates chat sessions. Sessions are named {@code chat-<n>} in order of arrival, with their id
   * as routing key.
   *
   * @param config the shape of the trace
   * @param seed the seed
   * @return the trace, named {@code chat-sessions}
   */
  public static Trace chat(ChatTraceConfig config, long seed) {
    Objects.requireNonNull(config, "config");
    SplittableRandom random = new SplittableRandom(seed);
    int[][] systems = new int[config.systemPrompts()][];
    for (int i = 0; i < systems.length; i++) {
      systems[i] = tokens(random, config.systemPromptTokens().draw(random));
    }
    List<Conversation> out = new ArrayList<>(config.sessions());
    long arrival = 0;
    for (int n = 0; n < config.sessions(); n++) {
      if (n > 0) {
        arrival += interArrivalNanos(random, config.arrivalRate());
      }
      Conversation.Builder b = Conversation.builder("chat-" + n).arrival(Duration.ofNanos(arrival));
      int turns = config.turns().draw(random);
      int[] system = systems[random.nextInt(systems.length)];
      for (int t = 0; t < turns; t++) {
        int[] user = tokens(random, config.userTokens().draw(random));
        int[] response = tokens(random, config.responseTokens().draw(random));
        if (t == 0) {
          b.addShared(0, new int[][] {system, user}, response);
        } else {
          b.addShared(config.thinkTime().drawNanos(random), new int[][] {user}, response);
        }
      }
      out.add(b.build());
    }
    return Trace.of("chat-sessions", out);
  }

  /**
   * Generates conversations that all start with one shared system prompt. Conversations are named
   * {@code shared-<n>} in order of arrival, with their id as routing key.
   *
   * @param config the shape of the trace
   * @param seed the seed
   * @return the trace, named {@code shared-system-prompt}
   */
  public static Trace sharedSystemPrompt(SharedPromptTraceConfig config, long seed) {
    Objects.requireNonNull(config, "config");
    SplittableRandom random = new SplittableRandom(seed);
    int[] system = tokens(random, config.systemPromptTokens());
    List<Conversation> out = new ArrayList<>(config.conversations());
    long arrival = 0;
    for (int n = 0; n < config.conversations(); n++) {
      if (n > 0) {
        arrival += interArrivalNanos(random, config.arrivalRate());
      }
      Conversation.Builder b =
          Conversation.builder("shared-" + n).arrival(Duration.ofNanos(arrival));
      int turns = config.turns().draw(random);
      for (int t = 0; t < turns; t++) {
        int[] user = tokens(random, config.userTokens().draw(random));
        int[] output = tokens(random, config.outputTokens().draw(random));
        if (t == 0) {
          b.addShared(0, new int[][] {system, user}, output);
        } else {
          b.addShared(config.thinkTime().drawNanos(random), new int[][] {user}, output);
        }
      }
      out.add(b.build());
    }
    return Trace.of("shared-system-prompt", out);
  }

  /** Exponential inter-arrival time of a Poisson process; 0 when the rate is 0 (all at once). */
  private static long interArrivalNanos(SplittableRandom random, double perSecond) {
    if (perSecond == 0) {
      return 0;
    }
    double u = random.nextDouble();
    return (long) (-Math.log1p(-u) / perSecond * 1e9);
  }

  private static int[] tokens(SplittableRandom random, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = TokenText.FIRST_CONTENT_ID + random.nextInt(TokenText.CONTENT_VOCABULARY);
    }
    return out;
  }
}
