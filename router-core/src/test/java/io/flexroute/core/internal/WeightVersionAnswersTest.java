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

    tracker.answered(worker, "8", tracker.mark(worker), "7");

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void aVersionOlderThanTheOneKnownAtDispatch_showsTheWorkerWentBack() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);

    tracker.answered(worker, "default", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("default");
  }

  @Test
  void anAnswerSentBeforeAnUpdate_keepsTheUpdatesVersion() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);
    tracker.set(worker, "8"); // the update landed while the answer was being written

    tracker.answered(worker, "7", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void anOlderVersion_afterAnUpdateRecordedOne_isIgnored() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);
    tracker.set(worker, "8");

    tracker.answered(worker, "6", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("8");
  }

  @Test
  void anOlderVersion_duringAnUpdate_isIgnored() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);
    worker.setUpdating(true);

    tracker.answered(worker, "6", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("7");
  }

  @Test
  void anOlderVersion_afterAnotherAnswerRaisedTheKnownOne_isIgnored() {
    tracker.set(worker, "7");
    long mark = tracker.mark(worker);
    tracker.observe(worker, "9");

    tracker.answered(worker, "6", mark, "7");

    assertThat(worker.weightVersion()).isEqualTo("9");
  }

  @Test
  void aVersionUnknownAtDispatch_isRecorded() {
    tracker.answered(worker, "3", tracker.mark(worker), null);

    assertThat(worker.weightVersion()).isEqualTo("3");
  }

  @Test
  void anOrderThatThrows_changesNothing() {
    WeightVersionTracker numeric =
        new WeightVersionTracker(Comparator.comparingInt(Integer::parseInt), () -> {});
    numeric.set(worker, "7");

    numeric.answered(worker, "default", numeric.mark(worker), "7");

    assertThat(worker.weightVersion()).isEqualTo("7");
    assertThat(numeric.older("default", "7")).isFalse();
  }
}
