package io.flexroute.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadResultTest {

  @Test
  void addsCountsTimesAndDistributions() {
    LoadResult a = result(10, 1_000, 100_000);
    LoadResult b = result(30, 3_000, 300_000);

    LoadResult sum = LoadResult.empty().plus(a).plus(b);

    assertThat(sum.requests()).isEqualTo(40);
    assertThat(sum.wallNanos()).isEqualTo(2 * 1_000_000_000L);
    assertThat(sum.processCpuNanos()).isEqualTo(400_000);
    assertThat(sum.latency().getTotalCount()).isEqualTo(40);
    assertThat(sum.latencyMicros(100)).isBetween(2.99, 3.01);
    assertThat(sum.latencyMicros(10)).isBetween(0.99, 1.01);
    assertThat(sum.processCpuMicrosPerRequest()).isEqualTo(10.0);
    assertThat(sum.requestsPerSecond()).isEqualTo(20.0);
  }

  @Test
  void isNotChangedThroughItsHistograms() {
    LoadResult a = result(5, 1_000, 0);

    a.latency().recordValue(999_999);

    assertThat(a.latency().getTotalCount()).isEqualTo(5);
  }

  @Test
  void rejectsNegativeNumbers() {
    assertThatThrownBy(
            () -> new LoadResult(-1, 0, 0, 0, LoadResult.newHistogram(),
                LoadResult.newHistogram()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests");
  }

  private static LoadResult result(int requests, long latencyNanos, long processCpu) {
    Histogram latency = LoadResult.newHistogram();
    latency.recordValueWithCount(latencyNanos, requests);
    return new LoadResult(
        requests, 1_000_000_000L, processCpu / 2, processCpu, latency, LoadResult.newHistogram());
  }
}
