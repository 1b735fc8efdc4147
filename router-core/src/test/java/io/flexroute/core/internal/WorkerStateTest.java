package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.Worker;
import org.junit.jupiter.api.Test;

/** Per-worker state that several threads change at once. */
class WorkerStateTest {

  @Test
  void aShorterParkingNeverShortensALongerOne() {
    WorkerState w = new WorkerState(Worker.builder("w", "http://w.invalid:30000").build(), null);
    long now = System.nanoTime();

    assertThat(w.parkUntil(now + 60_000_000_000L)).isTrue(); // Retry-After: 60
    assertThat(w.parkUntil(now + 1_000_000_000L)).isFalse(); // a default 1 s park, recorded last
    assertThat(w.parkedUntilNanos()).isEqualTo(now + 60_000_000_000L);
    assertThat(w.parkUntil(now + 120_000_000_000L)).isTrue();
    assertThat(w.parkedUntilNanos()).isEqualTo(now + 120_000_000_000L);
  }
}
