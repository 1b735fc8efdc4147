package io.flexroute.testkit.worker.internal;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Lets threads wait, with a deadline, for a condition that other threads announce changes to.
 * Changers update their state first and then call {@link #announce()}.
 */
final class Signal {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** Wakes every waiter so it re-checks its condition. */
  void announce() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until {@code condition} holds; returns false if {@code timeout} passes first. */
  boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!condition.getAsBoolean()) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        changed.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
