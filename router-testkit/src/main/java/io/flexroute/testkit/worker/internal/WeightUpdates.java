package io.flexroute.testkit.worker.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * What the test programmed for the weight-update endpoints ({@code /update_weights_from_disk} and
 * {@code /update_weights_from_distributed}): holding them until released, and failing the next
 * ones with SGLang's {@code success: false} answer (the weights stay as they were).
 */
final class WeightUpdates {

  private static final Duration STOP_CHECK = Duration.ofMillis(20);

  private final Signal signal = new Signal();
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<String> failures = new ArrayDeque<>();
  private volatile boolean held;
  private volatile @Nullable String group;

  void hold() {
    held = true;
  }

  void release() {
    held = false;
    signal.announce();
  }

  void failNext(int times, String message) {
    lock.lock();
    try {
      for (int i = 0; i < times; i++) {
        failures.addLast(message);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes the next programmed failure, or null to succeed. */
  @Nullable String takeFailure() {
    lock.lock();
    try {
      return failures.pollFirst();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Holds an update request while updates are held.
   *
   * @throws ConnectionDrop when the worker closes meanwhile
   */
  void awaitRelease(InFlight flight) throws IOException {
    while (held && flight.stopReason() == null) {
      try {
        signal.await(() -> !held, STOP_CHECK);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        flight.stop(StopReason.CLOSED);
      }
    }
    if (flight.stopReason() != null) {
      throw new ConnectionDrop("worker closing during a held weight update");
    }
  }

  /** The weight-update group the worker joined, or null. */
  @Nullable String group() {
    return group;
  }

  void setGroup(@Nullable String group) {
    this.group = group;
  }
}
