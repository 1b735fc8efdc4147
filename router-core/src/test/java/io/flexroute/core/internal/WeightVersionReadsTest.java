package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.Worker;
import io.flexroute.WeightVersions;
import org.junit.jupiter.api.Test;

/** A version read never rolls back what a weight update recorded while the read ran. */
class WeightVersionReadsTest {

  private final WeightVersionTracker tracker =
      new WeightVersionTracker(WeightVersions.naturalOrder(), () -> {});
  private final WorkerState worker =
      new WorkerState(Worker.of("w", "http://w.invalid:1"), null);

  @Test
  void aReadRecordsWhatItFound_evenALowerVersion() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);

    assertThat(tracker.setIfUnchangedSince(worker, "6", mark)).isTrue();

    assertThat(worker.weightVersion()).isEqualTo("6");
  }

  @Test
  void aReadThatAnUpdateOvertook_isDropped() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);
    tracker.set(worker, "8"); // the update's read-back, while the read was on its way

    assertThat(tracker.setIfUnchangedSince(worker, "7", mark)).isFalse();

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void aReadDuringAnUpdate_isDropped() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);
    worker.setUpdating(true);

    assertThat(tracker.setIfUnchangedSince(worker, "7b", mark)).isFalse();
    worker.setUpdating(false);
    assertThat(tracker.setIfUnchangedSince(worker, "7b", mark)).isTrue();
    assertThat(worker.weightVersion()).isEqualTo("7b");
  }
}
