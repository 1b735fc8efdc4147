package io.flexroute.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceGeneratorTest {

  private static final RolloutTraceConfig SMALL_ROLLOUTS =
      RolloutTraceConfig.builder()
          .systemPrompts(2, IntRange.of(50, 80))
          .prompts(6, IntRange.of(20, 40))
          .samplesPerPrompt(4)
          .turns(IntRange.of(2, 5))
          .outputTokens(IntRange.of(5, 30))
          .toolOutputTokens(IntRange.of(10, 60))
          .toolLatency(DurationRange.ofMillis(100, 300))
          .build();

  private static void assertSameTokens(Trace a, Trace b) {
    assertThat(a.conversations()).hasSameSizeAs(b.conversations());
    for (int i = 0; i < a.conversations().size(); i++) {
      Conversation x = a.conversations().get(i);
      Conversation y = b.conversations().get(i);
      assertThat(x.id()).isEqualTo(y.id());
      assertThat(x.arrivalNanos()).isEqualTo(y.arrivalNanos());
      assertThat(x.tokens(0, x.length())).isEqualTo(y.tokens(0, y.length()));
      for (int t = 0; t < x.turns(); t++) {
        assertThat(x.promptLength(t)).isEqualTo(y.promptLength(t));
        assertThat(x.thinkNanos(t)).isEqualTo(y.thinkNanos(t));
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() {
    assertSameTokens(
        TraceGenerator.rollouts(SMALL_ROLLOUTS, 3), TraceGenerator.rollouts(SMALL_ROLLOUTS, 3));
    assertSameTokens(
        TraceGenerator.chat(ChatTraceConfig.builder().sessions(20).build(), 3),
        TraceGenerator.chat(ChatTraceConfig.builder().sessions(20).build(), 3));
    assertSameTokens(
        TraceGenerator.sharedSystemPrompt(
            SharedPromptTraceConfig.builder().conversations(20).build(), 3),
        TraceGenerator.sharedSystemPrompt(
            SharedPromptTraceConfig.builder().conversations(20).build(), 3));

    Conversation a = TraceGenerator.rollouts(SMALL_ROLLOUTS, 3).conversations().get(0);
    Conversation b = TraceGenerator.rollouts(SMALL_ROLLOUTS, 4).conversations().get(0);
    assertThat(a.tokens(0, 20)).isNotEqualTo(b.tokens(0, 20));
  }

  @Test
  void rolloutTurnsAppendTheOutputAndAToolOutputToThePreviousPrompt() {
    Trace trace = TraceGenerator.rollouts(SMALL_ROLLOUTS, 11);
    assertThat(trace.name()).isEqualTo("multi-turn-rollouts");
    assertThat(trace.conversations()).hasSize(24);
    for (Conversation c : trace.conversations()) {
      assertThat(c.turns()).isBetween(2, 5);
      assertThat(c.thinkNanos(0)).isZero();
      for (int t = 0; t < c.turns(); t++) {
        assertThat(c.outputLength(t)).isBetween(5, 30);
        if (t > 0) {
          int previousEnd = c.promptLength(t - 1) + c.outputLength(t - 1);
          assertThat(c.promptLength(t) - previousEnd).isBetween(10, 60);
          assertThat(c.thinkTime(t)).isBetween(Duration.ofMillis(100), Duration.ofMillis(300));
          int[] previous = c.tokens(0, previousEnd);
          assertThat(Arrays.copyOf(c.prompt(t).toArray(), previousEnd)).isEqualTo(previous);
        }
      }
    }
  }

  @Test
  void samplesOfAPromptShareTheirFirstPromptAndPromptsShareSystemPrompts() {
    Trace trace = TraceGenerator.rollouts(SMALL_ROLLOUTS, 11);
    List<Conversation> all = trace.conversations();
    for (int p = 0; p < 6; p++) {
      Conversation first = all.get(p * 4);
      assertThat(first.id()).isEqualTo("rollout-p" + p + "-s0");
      for (int s = 1; s < 4; s++) {
        Conversation sample = all.get(p * 4 + s);
        assertThat(sample.promptLength(0)).isEqualTo(first.promptLength(0));
        assertThat(sample.prompt(0)).isEqualTo(first.prompt(0));
        // Samples diverge from their first output on.
        assertThat(sample.tokens(first.promptLength(0), first.promptLength(0) + 5))
            .isNotEqualTo(first.tokens(first.promptLength(0), first.promptLength(0) + 5));
      }
    }
    long distinctSystemStarts =
        all.stream().map(c -> Arrays.toString(c.tokens(0, 50))).distinct().count();
    assertThat(distinctSystemStarts).isBetween(1L, 2L);
  }

  @Test
  void everySharedPromptConversationStartsWithTheSameSystemPrompt() {
    Trace trace =
        TraceGenerator.sharedSystemPrompt(
            SharedPromptTraceConfig.builder().conversations(50).systemPromptTokens(300).build(), 5);
    int[] system = trace.conversations().get(0).tokens(0, 300);
    for (Conversation c : trace.conversations()) {
      assertThat(c.tokens(0, 300)).isEqualTo(system);
      assertThat(c.promptLength(0) - 300).isBetween(100, 1000);
      assertThat(c.arrivalNanos()).isZero();
    }
    assertThat(trace.conversations().get(1).tokens(300, 310))
        .isNotEqualTo(trace.conversations().get(2).tokens(300, 310));
  }

  @Test
  void chatSessionsArriveOverTimeAtTheConfiguredRate() {
    Trace trace =
        TraceGenerator.chat(ChatTraceConfig.builder().sessions(400).arrivalRate(10).build(), 9);
    long previous = -1;
    for (Conversation c : trace.conversations()) {
      assertThat(c.arrivalNanos()).isGreaterThanOrEqualTo(previous);
      previous = c.arrivalNanos();
      assertThat(c.turns()).isBetween(1, 10);
    }
    double seconds = previous / 1e9;
    assertThat(400 / seconds).isBetween(8.0, 12.5);
  }

  @Test
  void promptTextGrowsByPrefixAndAveragesAboutFourCharactersPerToken() {
    Conversation c = TraceGenerator.rollouts(SMALL_ROLLOUTS, 2).conversations().get(0);
    String first = c.promptText(0);
    String second = c.promptText(1);
    assertThat(second).startsWith(first);
    assertThat(first).isEqualTo(TokenText.decode(c.prompt(0)));
    double charsPerToken = second.length() / (double) c.promptLength(1);
    assertThat(charsPerToken).isBetween(3.6, 4.4);
  }

  @Test
  void handBuiltConversationsKeepTheirTokensAndCheckThem() {
    Conversation c =
        Conversation.builder("c")
            .routingKey("session-1")
            .turn(new int[] {1, 2, 3}, new int[] {4, 5})
            .turn(Duration.ofSeconds(1), new int[] {6}, new int[] {7})
            .build();
    assertThat(c.prompt(1).toArray()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(c.outputLength(1)).isEqualTo(1);
    assertThat(c.routingKey()).isEqualTo("session-1");
    assertThat(c.tokens(2, 7)).containsExactly(3, 4, 5, 6, 7);

    assertThatThrownBy(() -> Conversation.builder("x").turn(new int[0], new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input");
    assertThatThrownBy(() -> Conversation.builder("x").turn(new int[] {1}, new int[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output");
    assertThatThrownBy(
            () ->
                Conversation.builder("x").turn(Duration.ofSeconds(1), new int[] {1}, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("thinkTime");
    assertThatThrownBy(() -> Conversation.builder("x").turn(new int[] {-1}, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input");
    assertThatThrownBy(() -> Trace.of("t", List.of(c, c)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repeated");
  }
}
