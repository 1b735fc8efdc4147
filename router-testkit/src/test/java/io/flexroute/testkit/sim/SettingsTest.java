package io.flexroute.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void badValuesAreRejectedNamingTheSetting() {
    assertThatThrownBy(() -> RolloutTraceConfig.builder().samplesPerPrompt(0))
        .hasMessageContaining("samplesPerPrompt");
    assertThatThrownBy(() -> RolloutTraceConfig.builder().turns(IntRange.of(0, 3)))
        .hasMessageContaining("turns");
    assertThatThrownBy(() -> ChatTraceConfig.builder().arrivalRate(-1))
        .hasMessageContaining("arrivalRate");
    assertThatThrownBy(() -> SharedPromptTraceConfig.builder().systemPromptTokens(0))
        .hasMessageContaining("systemPromptTokens");
    assertThatThrownBy(() -> IntRange.of(3, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EngineProfile.builder().kvCapacityTokens(0))
        .hasMessageContaining("kvCapacityTokens");
    assertThatThrownBy(() -> FleetConfig.builder().workers(0)).hasMessageContaining("workers");
    assertThatThrownBy(() -> ReplayConfig.builder().maxConcurrentConversations(-1))
        .hasMessageContaining("maxConcurrentConversations");
  }

  @Test
  void theDefaultEngineResemblesAnEightBillionParameterModelOnOneGpu() {
    EngineProfile p = EngineProfile.defaults();
    // About 140 ms to prefill 4,000 tokens alone, 7 ms per token alone, 16 ms for 32 x 6,000.
    assertThat(p.prefillNanos(0, 4000)).isBetween(120_000_000L, 160_000_000L);
    assertThat(p.decodeStepNanos(1, 1000)).isBetween(6_000_000L, 8_000_000L);
    assertThat(p.decodeStepNanos(32, 6000)).isBetween(15_000_000L, 18_000_000L);
    assertThat(p.kvBlocks()).isEqualTo(25_000);
    assertThat(p.toBuilder().build().toString()).isEqualTo(p.toString());
    assertThat(EngineProfile.builder().iterationOverhead(Duration.ZERO).build().prefillNanos(0, 1))
        .isPositive();
  }
}
