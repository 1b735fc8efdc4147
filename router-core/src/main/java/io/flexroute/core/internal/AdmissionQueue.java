package io.flexroute.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded set of requests waiting for a worker or a concurrency slot.
 *
 * <p>A waiter is woken (its retry runs on the executor) whenever something that may let it proceed
 * happens: a registry change (a worker added, recovered, closed its breaker, left its parking) or
 * a slot freed. A version counter, read before a request's last try and checked after it joined the
 * queue, closes the window in which a wake-up could be missed.
 */
final class AdmissionQueue {

  /** One waiting request; its action runs at most once, for a wake-up, a timeout or a cancel. */
  static final class Waiter {
    private final Runnable retry;
    private final AtomicBoolean claimed = new AtomicBoolean();

    Waiter(Runnable retry) {
      this.retry = retry;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }

  private final int capacity;
  private final Executor executor;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong version = new AtomicLong();

  AdmissionQueue(int capacity, Executor executor) {
    this.capacity = capacity;
    this.executor = executor;
  }

  int capacity() {
    return capacity;
  }

  int size() {
    return size.get();
  }

  long version() {
    return version.get();
  }

  /**
   * Adds a waiter.
   *
   * @return {@code false} when the queue is full
   */
  boolean add(Waiter waiter) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    waiters.add(waiter);
    return true;
  }

  /** Takes a waiter out (it timed out or its request ended). */
  void remove(Waiter waiter) {
    if (waiters.remove(waiter)) {
      size.decrementAndGet();
    }
  }

  /** Something changed that may let waiters proceed: wake them all to try again. */
  void wakeAll() {
    version.incrementAndGet();
    if (size.get() == 0) {
      return;
    }
    List<Waiter> woken = new ArrayList<>();
    Waiter w;
    while ((w = waiters.poll()) != null) {
      size.decrementAndGet();
      if (w.claim()) {
        woken.add(w);
      }
    }
    for (Waiter waiter : woken) {
      try {
        executor.execute(waiter.retry);
      } catch (RejectedExecutionException e) {
        waiter.retry.run();
      }
    }
  }
}
