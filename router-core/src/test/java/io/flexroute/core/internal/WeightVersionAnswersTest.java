package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.WeightVersions;
import io.flexroute.Worker;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/**
 * The version an answer reports: raises the known one, lowers it only when the worker went back
 * after the attempt was sent, and never undoes what an update, a read or a newer answer recorded
 * meanwhile.
 */
class WeightVersionAnswersTest {

  private final WeightVersionTracker tracker =
      new WeightVersionTracker(WeightVersions.naturalOrder(), () -> {});
  private final WorkerState worker =
      new WorkerState(Worker.of("w", "http://w.invalid:1"), null);

  @Test
  void aNewerVersion_raisesTheKnownOne() {
    tracker.set(worker, "7");

    tracker.answered(worker, "8", WeightVersionTracker.recordMark(worker), "7");

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void aVersionOlderThanTheOneKnownAtDispatch_showsTheWorkerWentBack() {
    tracker.set(worker, "7");
    long mark = WeightVersionTracker.recordMark(worker);

    tracker.answered(worker, "default", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("default");
  }

  @Test
  void anAnswerSentBeforeAnUpdate_keepsTheUpdatesVersion() {
    tracker.set(worker, "7");
    long mark = WeightVersionTracker.recordMark(worker);
    tracker.set(worker, "8"); // the update landed while the answer was being written

    tracker.answered(worker, "7", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void anOlderVersion_afterAnUpdateRecordedOne_isIgnored() {
    tracker.set(worker, "7");
    long mark = WeightVersionTracker.recordMark(worker);
    tracker.set(worker, "8");

    tracker.answered(worker, "6", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void anOlderVersion_afterAReadRecordedTheSameVersionAgain_isIgnored() {
    // Sent while the worker was known at 5; it restarted on its launch weights and answered, then
    // was updated to 5 again outside the router, and a read recorded that before the late answer.
    tracker.set(worker, "5");
    long mark = WeightVersionTracker.recordMark(worker);
    assertThat(tracker.setIfUnchangedSince(worker, "5", tracker.mark(worker))).isTrue();

    tracker.answered(worker, "default", mark, "5");

    assertThat(worker.weightVersion()).isEqualTo("5");
  }

  @Test
  void anOlderVersion_duringAnUpdate_isIgnored() {
    tracker.set(worker, "7");
    long mark = WeightVersionTracker.recordMark(worker);
    worker.setUpdating(true);

    tracker.answered(worker, "6", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("7");
  }

  @Test
  void anOlderVersion_afterAnotherAnswerRaisedTheKnownOne_isIgnored() {
    tracker.set(worker, "7");
    long mark = WeightVersionTracker.recordMark(worker);
    tracker.observe(worker, "9");

    tracker.answered(worker, "6", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("9");
  }

  @Test
  void aVersionUnknownAtDispatch_isRecorded() {
    tracker.answered(worker, "3", WeightVersionTracker.recordMark(worker), null);

    assertThat(worker.weightVersion()).isEqualTo("3");
  }

  @Test
  void anOrderThatThrows_changesNothing() {
    WeightVersionTracker numeric =
        new WeightVersionTracker(Comparator.comparingInt(Integer::parseInt), () -> {});
    numeric.set(worker, "7");

    numeric.answered(worker, "default", WeightVersionTracker.recordMark(worker), "7");

    assertThat(worker.weightVersion()).isEqualTo("7");
    assertThat(numeric.older("default", "7")).isFalse();
  }
}
