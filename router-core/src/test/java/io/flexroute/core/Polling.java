package io.flexroute.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, for tests that wait for an effect on another thread. */
final class Polling {

  /** How long {@link #await(BooleanSupplier)} waits: a liveness bound, not a speed claim. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private Polling() {}

  /**
   * Waits up to {@link #DEFAULT_WAIT} for the condition.
   *
   * @param condition the condition
   * @throws AssertionError if it does not hold in time
   */
  static void await(BooleanSupplier condition) {
    await(condition, DEFAULT_WAIT);
  }

  /**
   * Waits up to {@code wait} for the condition, checking it every millisecond.
   *
   * @param condition the condition
   * @param wait the longest wait
   * @throws AssertionError if it does not hold in time
   */
  static void await(BooleanSupplier condition, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + wait);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
