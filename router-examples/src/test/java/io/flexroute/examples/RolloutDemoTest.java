package io.flexroute.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RolloutDemoTest {

  @Test
  void demo_runsAndReportsTheCacheAtWork() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RolloutDemo.Summary s =
        RolloutDemo.run(
            RolloutDemo.Options.parse(new String[] {"--trajectories", "8", "--turns", "4"}),
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);

    // 4 short trajectories of 2 turns, 4 long ones of 4 turns.
    assertThat(s.turns()).isEqualTo(4 * 2 + 4 * 4);
    // Each worker that served a turn after the update aborted one generation, retried once.
    assertThat(s.attempts() - s.turns()).isBetween(1, 3);
    assertThat(s.sessionsThatMoved()).isZero();
    assertThat(s.reusedTokens()).isGreaterThan(s.tokenisedTokens());
    assertThat(s.maskOnes()).isGreaterThan(0);
    assertThat(s.maskZeros()).isGreaterThan(0);
    assertThat(s.tokensByVersion()).containsKeys(-1, 1, 2);
    assertThat(s.gcRemovedTokens()).isGreaterThan(0);
    assertThat(s.consistent()).isTrue();
    // The training loop's two weight updates reached every worker, and the router knows it.
    assertThat(s.updates()).hasSize(2).allSatisfy(u -> {
      assertThat(u.allSucceeded()).isTrue();
      assertThat(u.workerIds()).hasSize(3);
    });
    assertThat(s.updates().get(0).values().values())
        .allSatisfy(ack -> assertThat(ack.weightVersion()).isEqualTo("2"));
    assertThat(s.fleetVersions()).hasSize(3).containsValues("3", "3", "3");
    // Version 1 tokens are off-policy for a trainer at version 2; the second half's are not.
    assertThat(s.offPolicyTrainedTokens()).isPositive().isLessThan(s.trainedTokens());
    assertThat(s.trainedTokens()).isEqualTo(s.maskOnes());
    assertThat(printed)
        .contains("weight update to v2")
        .contains("weight update to v3")
        .contains("GC on bump to v3")
        .contains("trained tokens older than v2")
        .contains("cache hit rate")
        .contains("tokens reused from cache")
        .contains("tokens tokenised")
        .contains("loss mask")
        .contains("weight versions")
        .contains("v1:")
        .contains("v2:")
        .contains("token for token");
  }

  @Test
  void demo_withTheWorkersTokenizer_givesTheSameShape() throws Exception {
    RolloutDemo.Summary s =
        RolloutDemo.run(
            RolloutDemo.Options.parse(
                new String[] {"--trajectories", "4", "--turns", "2", "--tokenizer", "worker"}),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(s.turns()).isEqualTo(2 * 1 + 2 * 2);
    assertThat(s.consistent()).isTrue();
    assertThat(s.sessionsThatMoved()).isZero();
  }

  @Test
  void options_areValidated() {
    assertThatThrownBy(() -> RolloutDemo.Options.parse(new String[] {"--turns", "1"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--turns must be >= 2, but was 1");
    assertThatThrownBy(() -> RolloutDemo.Options.parse(new String[] {"--tokenizer", "hf"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RolloutDemo.Options.parse(new String[] {"--nope", "1"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option --nope");
  }
}
