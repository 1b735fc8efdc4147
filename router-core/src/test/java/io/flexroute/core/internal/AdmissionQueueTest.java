package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The admission queue's two wake-ups: a change wakes every waiter; a freed unit of capacity wakes
 * the oldest, and passes on only while woken waiters cannot use it, each waiter at most once.
 */
class AdmissionQueueTest {

  /** Runs woken retries when the test says so, in order, like a single-threaded executor. */
  private static final class StepExecutor implements Executor {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.remove(0).run();
      }
    }
  }

  private final StepExecutor executor = new StepExecutor();
  private final AdmissionQueue queue = new AdmissionQueue(100, executor);
  private final List<String> tries = new ArrayList<>();

  /**
   * Queues a waiter that, when woken, records its try and either takes the capacity (when {@code
   * canUse}) or rejoins the queue at its place and passes the wake-up on, as the router's retry
   * does.
   */
  private void waiter(String name, boolean canUse) {
    waiter(name, canUse ? 0 : Integer.MAX_VALUE, AdmissionQueue.NEW_PLACE);
  }

  /**
   * Queues a waiter that cannot use the first {@code failures} wake-ups it gets and takes the
   * capacity on the next one.
   */
  private void waiter(String name, int failures, long place) {
    AdmissionQueue.Waiter[] self = new AdmissionQueue.Waiter[1];
    self[0] =
        new AdmissionQueue.Waiter(
            chain -> {
              tries.add(name);
              if (failures > 0) {
                waiter(name, failures - 1, self[0].place());
                queue.passOn(chain);
              }
            },
            place);
    assertThat(queue.add(self[0], false)).isTrue();
  }

  @Test
  void aFreedSlotWakesOnlyTheOldestWaiter_whenItCanUseIt() {
    waiter("first", true);
    waiter("second", true);
    waiter("third", true);
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("first");
    assertThat(queue.size()).isEqualTo(2);
  }

  @Test
  void theWakeUpPassesOnPastWaitersThatCannotUseIt_untilOneCan() {
    waiter("other-model-1", false);
    waiter("other-model-2", false);
    waiter("fits", true);
    waiter("after", true);
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("other-model-1", "other-model-2", "fits");
    assertThat(queue.size()).isEqualTo(3);
    // The two that could not proceed are back at their places, ahead of the one never woken.
    tries.clear();
    queue.wakeAll();
    executor.runAll();
    assertThat(tries).containsExactly("other-model-1", "other-model-2", "after");
  }

  @Test
  void aWaiterThatCouldNotUseAWakeUpKeepsItsPlace_aheadOfLaterArrivals() {
    waiter("oldest", 1, AdmissionQueue.NEW_PLACE);
    waiter("second", true);
    waiter("third", true);
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("oldest", "second");
    // The next freed slot goes to the oldest request first, not to the one that arrived after it.
    tries.clear();
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("oldest");
    assertThat(queue.size()).isEqualTo(1);
  }

  @Test
  void aWokenWaiterRejoinsEvenWhenNewcomersFilledTheQueueMeanwhile() {
    AdmissionQueue small = new AdmissionQueue(2, executor);
    AdmissionQueue.Waiter[] first = new AdmissionQueue.Waiter[1];
    first[0] =
        new AdmissionQueue.Waiter(
            chain -> {
              tries.add("first");
              AdmissionQueue.Waiter again = new AdmissionQueue.Waiter(c -> tries.add("again"),
                  first[0].place());
              assertThat(small.add(again, false)).isTrue();
              small.passOn(chain);
            },
            AdmissionQueue.NEW_PLACE);
    assertThat(small.add(first[0], false)).isTrue();
    assertThat(small.add(new AdmissionQueue.Waiter(c -> tries.add("second"),
        AdmissionQueue.NEW_PLACE), false)).isTrue();
    small.wakeOne();
    // While the woken waiter's retry is pending, a newcomer takes the freed place in the queue.
    assertThat(small.add(new AdmissionQueue.Waiter(c -> tries.add("newcomer"),
        AdmissionQueue.NEW_PLACE), false)).isTrue();
    assertThat(small.add(new AdmissionQueue.Waiter(c -> tries.add("refused"),
        AdmissionQueue.NEW_PLACE), false)).isFalse();
    executor.runAll();
    assertThat(tries).containsExactly("first", "second");
    assertThat(small.size()).isEqualTo(2);
    tries.clear();
    small.wakeAll();
    executor.runAll();
    assertThat(tries).containsExactly("again", "newcomer");
  }

  @Test
  void whenNoWaiterCanUseIt_eachTriesOnceAndTheChainEnds() {
    for (int i = 0; i < 5; i++) {
      waiter("w" + i, false);
    }
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("w0", "w1", "w2", "w3", "w4");
    assertThat(queue.size()).isEqualTo(5);
    // A later freed slot starts a new chain, which may try them all again.
    tries.clear();
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).hasSize(5);
  }

  @Test
  void aRequestWaitingForAPermitIsInTheLineBeforeAnyoneCanWakeIt_andARefusedOneNeverIs() {
    AdmissionQueue small = new AdmissionQueue(1, executor);
    List<Boolean> seenByRetry = new ArrayList<>();
    AdmissionQueue.Waiter[] self = new AdmissionQueue.Waiter[1];
    self[0] =
        new AdmissionQueue.Waiter(
            chain -> {
              // The retry that takes the permit finds its request in the line, and takes it out.
              seenByRetry.add(small.firstInPermitLine(self[0].place()));
              seenByRetry.add(small.leavePermitLine(self[0].place()));
            },
            AdmissionQueue.NEW_PLACE);
    assertThat(small.add(self[0], true)).isTrue();
    assertThat(small.permitLineEmpty()).isFalse();
    assertThat(small.add(new AdmissionQueue.Waiter(c -> { }, AdmissionQueue.NEW_PLACE), true))
        .isFalse();
    small.wakeOne();
    executor.runAll();
    assertThat(seenByRetry).containsExactly(true, true);
    assertThat(small.permitLineEmpty()).isTrue();
  }

  @Test
  void aChangeWakesEveryWaiter() {
    waiter("a", true);
    waiter("b", true);
    waiter("c", false);
    long before = queue.version();
    queue.wakeAll();
    executor.runAll();
    assertThat(tries).containsExactly("a", "b", "c");
    // A waiter woken by a change does not start a chain of its own.
    assertThat(queue.size()).isEqualTo(1);
    assertThat(queue.version()).isGreaterThan(before);
  }

  @Test
  void waitersClaimedByTheirTimeoutAreSkipped_andTheVersionMovesEvenWithNoOneWaiting() {
    AdmissionQueue.Waiter timedOut = new AdmissionQueue.Waiter(chain -> tries.add("timed out"),
        AdmissionQueue.NEW_PLACE);
    queue.add(timedOut, false);
    waiter("next", true);
    // Its timer claimed it but has not taken it out of the queue yet.
    assertThat(timedOut.claim()).isTrue();
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("next");

    AdmissionQueue empty = new AdmissionQueue(10, executor);
    long before = empty.version();
    empty.wakeOne();
    assertThat(empty.version()).isGreaterThan(before);
  }
}
