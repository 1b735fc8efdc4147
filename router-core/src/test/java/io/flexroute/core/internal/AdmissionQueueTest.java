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
   * canUse}) or rejoins the queue and passes the wake-up on, as the router's retry does.
   */
  private void waiter(String name, boolean canUse, long triedInChain) {
    queue.add(
        new AdmissionQueue.Waiter(
            chain -> {
              tries.add(name);
              if (!canUse) {
                waiter(name, false, chain);
                queue.passOn(chain);
              }
            },
            triedInChain));
  }

  @Test
  void aFreedSlotWakesOnlyTheOldestWaiter_whenItCanUseIt() {
    waiter("first", true, AdmissionQueue.NO_CHAIN);
    waiter("second", true, AdmissionQueue.NO_CHAIN);
    waiter("third", true, AdmissionQueue.NO_CHAIN);
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("first");
    assertThat(queue.size()).isEqualTo(2);
  }

  @Test
  void theWakeUpPassesOnPastWaitersThatCannotUseIt_untilOneCan() {
    waiter("other-model-1", false, AdmissionQueue.NO_CHAIN);
    waiter("other-model-2", false, AdmissionQueue.NO_CHAIN);
    waiter("fits", true, AdmissionQueue.NO_CHAIN);
    waiter("after", true, AdmissionQueue.NO_CHAIN);
    queue.wakeOne();
    executor.runAll();
    assertThat(tries).containsExactly("other-model-1", "other-model-2", "fits");
    // The two that could not proceed are back, behind the one that was never woken.
    assertThat(queue.size()).isEqualTo(3);
  }

  @Test
  void whenNoWaiterCanUseIt_eachTriesOnceAndTheChainEnds() {
    for (int i = 0; i < 5; i++) {
      waiter("w" + i, false, AdmissionQueue.NO_CHAIN);
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
  void aChangeWakesEveryWaiter() {
    waiter("a", true, AdmissionQueue.NO_CHAIN);
    waiter("b", true, AdmissionQueue.NO_CHAIN);
    waiter("c", false, AdmissionQueue.NO_CHAIN);
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
        AdmissionQueue.NO_CHAIN);
    queue.add(timedOut);
    waiter("next", true, AdmissionQueue.NO_CHAIN);
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
