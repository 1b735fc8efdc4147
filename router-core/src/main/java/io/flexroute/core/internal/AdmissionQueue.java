package io.flexroute.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The bounded set of requests waiting for a worker or a concurrency slot.
 *
 * <p>Two kinds of wake-up. A change that may let many waiters proceed (a worker added, recovered,
 * closed its breaker, left its parking) wakes them all ({@link #wakeAll}). A freed unit of
 * capacity (a worker's concurrency slot, the router-wide permit, a half-open breaker's probe) can
 * let only one proceed, so it wakes one ({@link #wakeOne}): the oldest waiter retries, and if it
 * cannot use the capacity (it wants another model, or its deadline passed) it passes the wake to
 * the next waiter that has not yet tried in the same wake ({@link #passOn}). So a release costs one
 * retry when the oldest waiter can use it, and never more than one retry per waiter, instead of a
 * retry of every waiter per release, which under a long queue spent the router's CPU on retries
 * that could not succeed.
 *
 * <p>A version counter, read before a request's last try and checked after it joined the queue,
 * closes the window in which a wake-up of either kind could be missed. Thread-safe.
 */
final class AdmissionQueue {

  /** The chain number of a wake-up that is not a single-capacity chain (or of no wake-up). */
  static final long NO_CHAIN = 0;

  /**
   * One waiting request; its action runs at most once, for a wake-up, a timeout or a cancel. The
   * action receives the chain of the wake-up that ran it ({@link #NO_CHAIN} for a wake of all).
   */
  static final class Waiter {
    private final LongConsumer retry;
    private final long triedInChain;
    private final AtomicBoolean claimed = new AtomicBoolean();

    /**
     * @param retry the retry, given the chain of the wake-up that runs it
     * @param triedInChain the chain in which this request already tried and failed, so that the
     *     chain ends when it comes back to it; {@link #NO_CHAIN} if none
     */
    Waiter(LongConsumer retry, long triedInChain) {
      this.retry = retry;
      this.triedInChain = triedInChain;
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
  private final AtomicLong chains = new AtomicLong(NO_CHAIN);

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
   * Adds a waiter at the end.
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

  /** Something changed that may let many waiters proceed: wake them all to try again. */
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
      dispatch(waiter, NO_CHAIN);
    }
  }

  /**
   * One unit of capacity was freed: wake the oldest waiter. Its retry must call {@link #passOn}
   * with the chain it was given unless it took the capacity.
   */
  void wakeOne() {
    version.incrementAndGet();
    if (size.get() == 0) {
      return;
    }
    passOn(chains.incrementAndGet());
  }

  /**
   * Passes a single-capacity wake-up on to the oldest waiter, unless that waiter already tried in
   * this chain: waiters that fail rejoin at the end, so meeting one again means every waiter ahead
   * of it had its try, and the chain ends. Does nothing for {@link #NO_CHAIN}.
   *
   * @param chain the chain of the wake-up the caller's retry came from
   */
  void passOn(long chain) {
    if (chain == NO_CHAIN) {
      return;
    }
    Waiter head;
    while ((head = waiters.peek()) != null && head.triedInChain != chain) {
      if (waiters.remove(head)) {
        size.decrementAndGet();
        if (head.claim()) {
          dispatch(head, chain);
          return;
        }
        // Its timeout or its request's end claimed it first: the next waiter gets the wake.
      }
    }
  }

  private void dispatch(Waiter waiter, long chain) {
    try {
      executor.execute(() -> waiter.retry.accept(chain));
    } catch (RejectedExecutionException e) {
      waiter.retry.accept(chain);
    }
  }
}
