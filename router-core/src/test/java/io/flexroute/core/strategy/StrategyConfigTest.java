package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every strategy setting rejects bad input with an IllegalArgumentException naming the field. */
class StrategyConfigTest {

  static Stream<Arguments> badSettings() {
    return Stream.of(
        bad("cacheThreshold", () -> CacheAwareConfig.builder().cacheThreshold(1.5)),
        bad("cacheThreshold", () -> CacheAwareConfig.builder().cacheThreshold(Double.NaN)),
        bad("matchTolerance", () -> CacheAwareConfig.builder().matchTolerance(-0.1)),
        bad("balanceAbsThreshold", () -> CacheAwareConfig.builder().balanceAbsThreshold(-1)),
        bad("balanceRelThreshold", () -> CacheAwareConfig.builder().balanceRelThreshold(0.5)),
        bad("balanceRelThreshold",
            () -> CacheAwareConfig.builder().balanceRelThreshold(Double.POSITIVE_INFINITY)),
        bad("loadWindowAbs", () -> CacheAwareConfig.builder().loadWindow(-1, 0.25)),
        bad("loadWindowRel", () -> CacheAwareConfig.builder().loadWindow(2, Double.NaN)),
        bad("maxTreeSizePerWorker", () -> CacheAwareConfig.builder().maxTreeSizePerWorker(0)),
        bad("exactScanLimit", () -> CacheAwareConfig.builder().exactScanLimit(0)),
        bad("sampleSize", () -> CacheAwareConfig.builder().sampleSize(0)),
        bad("cachedTokenDiscount", () -> ShortestTtftConfig.builder().cachedTokenDiscount(2)),
        bad("prefillRate", () -> ShortestTtftConfig.builder().prefillRate(0)),
        bad("prefillRate", () -> ShortestTtftConfig.builder().prefillRate(Double.NaN)),
        bad("poolRatio", () -> ShortestTtftConfig.builder().poolRatio(0)),
        bad("similarityRatio", () -> ShortestTtftConfig.builder().similarityRatio(-1)),
        bad("maxReportAge", () -> ShortestTtftConfig.builder().maxReportAge(Duration.ZERO)),
        bad("ledgerTimeout", () -> ShortestTtftConfig.builder().ledgerTimeout(Duration.ofSeconds(-1))),
        bad("defaultRequestTokens", () -> ShortestTtftConfig.builder().defaultRequestTokens(0)),
        bad("exactScanLimit", () -> ShortestTtftConfig.builder().exactScanLimit(0)),
        bad("exactScanLimit", () -> ShortestTtftConfig.builder().exactScanLimit(2_000_000)),
        bad("sampleSize", () -> ShortestTtftConfig.builder().sampleSize(0)),
        bad("maxTreeSizePerWorker", () -> ShortestTtftConfig.builder().maxTreeSizePerWorker(0)),
        bad("kvPressureWeight", () -> LeastTokenWorkConfig.builder().kvPressureWeight(-1)),
        bad("meanPrefillTokens", () -> LeastTokenWorkConfig.builder().meanPrefillTokens(0)),
        bad("maxReportAge", () -> LeastTokenWorkConfig.builder().maxReportAge(Duration.ZERO)),
        bad("exactScanLimit", () -> LeastTokenWorkConfig.builder().exactScanLimit(0)),
        bad("sampleSize", () -> LeastTokenWorkConfig.builder().sampleSize(0)),
        bad("decayTime", () -> PeakEwmaConfig.builder().decayTime(Duration.ZERO)),
        bad("choices", () -> PeakEwmaConfig.builder().choices(0)),
        bad("virtualNodes", () -> ConsistentHashConfig.builder().virtualNodes(0)),
        bad("virtualNodes", () -> ConsistentHashConfig.builder().virtualNodes(5_000)),
        bad("loadFactor", () -> ConsistentHashConfig.builder().loadFactor(0.9)),
        bad("prefixTokens", () -> ConsistentHashConfig.builder().prefixTokens(0)),
        bad("stickyIdle", () -> ConsistentHashConfig.builder().stickyIdle(Duration.ZERO)),
        bad("maxSessions", () -> ConsistentHashConfig.builder().maxSessions(0)),
        bad("exactScanLimit", () -> ConsistentHashConfig.builder().exactScanLimit(0)),
        bad("sampleSize", () -> ConsistentHashConfig.builder().sampleSize(0)),
        bad("cooldown", () -> PriorityFailoverConfig.builder().cooldown(Duration.ofSeconds(-1))),
        bad("failoverAfterFailures",
            () -> PriorityFailoverConfig.builder().failoverAfterFailures(-1)),
        bad("highMark", () -> KvUsageGateConfig.builder().marks(0.5, 1.5)),
        bad("lowMark", () -> KvUsageGateConfig.builder().marks(0.95, 0.9)),
        bad("maxReportAge", () -> KvUsageGateConfig.builder().maxReportAge(Duration.ZERO)),
        bad("recheckInterval",
            () -> KvUsageGateConfig.builder().recheckInterval(Duration.ofMillis(-1))),
        bad("maxTreeSizePerWorker", () -> new PrefixAffinityScorer(0)));
  }

  private static Arguments bad(String field, Runnable setter) {
    return Arguments.of(field, setter);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void badInputIsRejectedNamingTheField(String field, Runnable setter) {
    assertThatThrownBy(setter::run)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(field);
  }

  @Test
  void defaultsAreTheDocumentedValues() {
    CacheAwareConfig cache = CacheAwareConfig.defaults();
    assertThat(cache.cacheThreshold()).isEqualTo(CacheAwareConfig.DEFAULT_CACHE_THRESHOLD);
    assertThat(cache.matchTolerance()).isEqualTo(0.05);
    assertThat(cache.balanceAbsThreshold()).isEqualTo(4);
    assertThat(cache.balanceRelThreshold()).isEqualTo(1.5);
    assertThat(cache.maxTreeSizePerWorker()).isEqualTo(1L << 21);
    ShortestTtftConfig ttft = ShortestTtftConfig.defaults();
    assertThat(ttft.cachedTokenDiscount()).isEqualTo(0.7);
    assertThat(ttft.poolRatio()).isEqualTo(0.3);
    assertThat(LeastTokenWorkConfig.defaults().kvPressureWeight()).isEqualTo(0.15);
    assertThat(ConsistentHashConfig.defaults().loadFactor()).isEqualTo(1.25);
    assertThat(PriorityFailoverConfig.defaults().cooldown()).isEqualTo(Duration.ofSeconds(60));
    assertThat(KvUsageGateConfig.defaults().highMark()).isEqualTo(0.90);
    assertThat(KvUsageGateConfig.defaults().lowMark()).isEqualTo(0.76);
  }

  @Test
  void toBuilderCopiesEverySetting() {
    CacheAwareConfig custom =
        CacheAwareConfig.builder()
            .cacheThreshold(0.3)
            .matchTolerance(0.1)
            .balanceAbsThreshold(8)
            .balanceRelThreshold(2)
            .loadWindow(3, 0.5)
            .maxTreeSizePerWorker(100)
            .exactScanLimit(10)
            .sampleSize(5)
            .build();
    assertThat(custom.toBuilder().build().toString()).isEqualTo(custom.toString());
  }
}
