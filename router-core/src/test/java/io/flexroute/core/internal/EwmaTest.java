package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EwmaTest {

  @Test
  void firstSampleSetsTheAverageAndLaterOnesMoveItByAlpha() {
    Ewma ewma = new Ewma();
    assertThat(ewma.get()).isZero();
    ewma.record(1_000);
    assertThat(ewma.get()).isEqualTo(1_000);
    ewma.record(2_000);
    assertThat(ewma.get()).isEqualTo(1_200);
    ewma.record(200);
    assertThat(ewma.get()).isEqualTo(1_000);
  }

  @Test
  void aZeroOrNegativeSampleCountsAsOneNanosecond() {
    Ewma ewma = new Ewma();
    ewma.record(-5);
    assertThat(ewma.get()).isEqualTo(1);
    ewma.record(0);
    assertThat(ewma.get()).isEqualTo(1);
  }

  @Test
  void concurrentRecordsKeepTheAverageWithinTheSamplesRange() throws InterruptedException {
    Ewma ewma = new Ewma();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      long sample = 1_000L * (t + 1);
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 100_000; i++) {
          ewma.record(sample);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(ewma.get()).isBetween(1_000L, 4_000L);
  }
}
