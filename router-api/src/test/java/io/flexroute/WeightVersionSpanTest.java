package io.flexroute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Weight version spans on a generate result: validated, and each output token's version. */
class WeightVersionSpanTest {

  private static GenerateResult result(int outputTokens, List<WeightVersionSpan> spans) {
    int[] ids = new int[outputTokens];
    return new GenerateResult(
        "r", "w", null, TokenIds.of(ids), TokenLogprobs.empty(), FinishReason.of("stop"),
        TokenUsage.ZERO, spans.isEmpty() ? "5" : spans.get(spans.size() - 1).version(), spans);
  }

  @Test
  void eachOutputToken_hasTheVersionOfItsSpan() {
    GenerateResult r =
        result(5, List.of(new WeightVersionSpan("4", 0, 2), new WeightVersionSpan("5", 3, 5)));

    assertThat(r.tokenWeightVersion(0)).isEqualTo("4");
    assertThat(r.tokenWeightVersion(1)).isEqualTo("4");
    assertThat(r.tokenWeightVersion(2)).as("no span covers it").isNull();
    assertThat(r.tokenWeightVersion(3)).isEqualTo("5");
    assertThat(r.tokenWeightVersion(4)).isEqualTo("5");
    assertThatThrownBy(() -> r.tokenWeightVersion(5))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(r.toString()).contains("weightVersionSpans");
  }

  @Test
  void withoutSpans_everyTokenHasTheAnswersVersion() {
    GenerateResult r = result(3, List.of());

    assertThat(r.tokenWeightVersion(2)).isEqualTo("5");
    assertThat(
            new GenerateResult("r", "w", null, TokenIds.of(1), TokenLogprobs.empty(),
                    FinishReason.of("stop"), TokenUsage.ZERO, "9")
                .weightVersionSpans())
        .isEmpty();
  }

  @Test
  void spansThatOverlapAreOutOfOrderOrReachPastTheOutput_areRefused() {
    assertThatThrownBy(
            () -> result(6, List.of(new WeightVersionSpan("4", 0, 3), new WeightVersionSpan("5", 2, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("span 1 [2, 4) starts before the previous one ends (3)");
    assertThatThrownBy(() -> result(2, List.of(new WeightVersionSpan("4", 0, 3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reaches past the 2 output tokens");
    assertThatThrownBy(() -> new WeightVersionSpan("4", 3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 <= start <= end");
    assertThatThrownBy(() -> new WeightVersionSpan("", 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WeightVersionSpan(null, 0, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("version");
  }
}
