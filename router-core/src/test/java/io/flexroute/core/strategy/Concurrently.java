package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/** Runs a test's body on several threads at once, for the concurrency tests of strategies. */
public final class Concurrently {

  /** What each thread does, given its number (0 to threads - 1). */
  @FunctionalInterface
  public interface Body {
    /**
     * @param thread the thread's number
     * @throws Exception to fail the test
     */
    void run(int thread) throws Exception;
  }

  private Concurrently() {}

  /**
   * Starts the threads together (behind a barrier, so that their bodies overlap), waits for all
   * of them, and fails with the first error any of them threw.
   *
   * @param threads how many threads
   * @param body what each does
   * @throws InterruptedException if interrupted while waiting for them
   */
  public static void run(int threads, Body body) throws InterruptedException {
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                  body.run(id);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      running.add(thread);
      thread.start();
    }
    for (Thread t : running) {
      t.join();
    }
    assertThat(failure.get()).isNull();
  }
}
