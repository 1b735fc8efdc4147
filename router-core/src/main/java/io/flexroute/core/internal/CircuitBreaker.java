package io.flexroute.core.internal;

import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.spi.BreakerState;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker's circuit breaker: closed, open, half-open with a bounded number of probes.
 *
 * <p>The common path (a success while closed) is one volatile read and, only after a fault, one
 * write. Transitions are serialised by a lock and reported, in that order, to a {@link Transitions}
 * callback, which republishes the registry snapshot (an open worker is not a candidate), tells the
 * listeners and schedules the move to half-open.
 *
 * <p>Every transition starts a new epoch. A permit taken while half-open names its epoch, so only
 * the probes of the current half-open period hold probe places and decide whether the breaker
 * closes or opens again; requests sent before the breaker opened, which end while it is half-open,
 * say nothing about the recovery and are ignored.
 */
final class CircuitBreaker {

  /** Returned by {@link #tryAcquire()} when the breaker refuses the request. */
  static final long REFUSED = -1;
  /** Returned by {@link #tryAcquire()} for a request sent while the breaker is closed. */
  static final long CLOSED_PERMIT = 0;

  /**
   * Receives state changes: outside the lock, one at a time and in the order they were made (see
   * {@link SerialNotifier}).
   */
  interface Transitions {
    void changed(BreakerState previous, BreakerState current, long openNanos);
  }

  private final CircuitBreakerPolicy policy;
  private final Transitions transitions;
  private final ReentrantLock lock = new ReentrantLock();
  private final SerialNotifier notifier = new SerialNotifier();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicInteger halfOpenSuccesses = new AtomicInteger();
  // The epoch in the high 32 bits, the probes in flight of that epoch in the low 32 bits: a probe
  // place is taken and given back with one compare-and-set, never across epochs.
  private final AtomicLong probes = new AtomicLong(1L << 32);
  private volatile BreakerState state = BreakerState.CLOSED;
  private long nextOpenNanos;

  CircuitBreaker(CircuitBreakerPolicy policy, Transitions transitions) {
    this.policy = policy;
    this.transitions = transitions;
    this.nextOpenNanos = policy.openDuration().toNanos();
  }

  BreakerState state() {
    return state;
  }

  /** @return the probes of the current half-open period still running (0 in other states) */
  int probesInFlight() {
    return state == BreakerState.HALF_OPEN ? (int) probes.get() : 0;
  }

  /**
   * Asks to send a request: always granted while closed, granted to a bounded number of concurrent
   * probes while half-open, refused while open.
   *
   * @return {@link #REFUSED}, or a permit to give back with {@link #onResult}: {@link
   *     #CLOSED_PERMIT}, or the half-open epoch for a probe
   */
  long tryAcquire() {
    BreakerState s = state;
    if (s == BreakerState.CLOSED) {
      return CLOSED_PERMIT;
    }
    if (s == BreakerState.OPEN) {
      return REFUSED;
    }
    int max = policy.halfOpenProbes();
    while (true) {
      long current = probes.get();
      if ((int) current >= max) {
        return REFUSED;
      }
      if (probes.compareAndSet(current, current + 1)) {
        if (state != BreakerState.HALF_OPEN) {
          // The breaker moved on meanwhile; the new epoch's count was reset without this place.
          return REFUSED;
        }
        return current >>> 32;
      }
    }
  }

  /**
   * Records the outcome of a request that holds a permit.
   *
   * @param permit what {@link #tryAcquire()} returned for the request
   * @param fault whether the request ended with a worker fault
   * @param neutral whether the outcome says nothing about the worker (the caller cancelled)
   */
  void onResult(long permit, boolean fault, boolean neutral) {
    boolean probe = permit > 0 && releaseProbe(permit);
    if (neutral || !policy.isEnabled()) {
      return;
    }
    if (probe) {
      if (!fault) {
        if (halfOpenSuccesses.incrementAndGet() >= policy.successThreshold()) {
          transition(BreakerState.HALF_OPEN, BreakerState.CLOSED, permit);
        }
      } else {
        transition(BreakerState.HALF_OPEN, BreakerState.OPEN, permit);
      }
      return;
    }
    if (state != BreakerState.CLOSED) {
      // Sent before the breaker opened: stale evidence for an open or half-open breaker.
      return;
    }
    if (!fault) {
      if (consecutiveFailures.get() != 0) {
        consecutiveFailures.set(0);
      }
    } else if (consecutiveFailures.incrementAndGet() >= policy.failureThreshold()) {
      transition(BreakerState.CLOSED, BreakerState.OPEN, -1);
    }
  }

  /** Gives a probe place back if its epoch is still the current one. */
  private boolean releaseProbe(long epoch) {
    while (true) {
      long current = probes.get();
      if (current >>> 32 != epoch || (int) current == 0) {
        return false;
      }
      if (probes.compareAndSet(current, current - 1)) {
        return true;
      }
    }
  }

  /** Moves an open breaker to half-open, when its open period ends. */
  void openPeriodEnded() {
    transition(BreakerState.OPEN, BreakerState.HALF_OPEN, -1);
  }

  /**
   * Moves from one state to another if the breaker is still in {@code from} (and, when {@code
   * epoch} is not negative, still in that epoch).
   */
  private void transition(BreakerState from, BreakerState to, long epoch) {
    lock.lock();
    try {
      long current = probes.get() >>> 32;
      if (state != from || (epoch >= 0 && epoch != current)) {
        return;
      }
      long openNanos = 0;
      switch (to) {
        case OPEN -> {
          openNanos = nextOpenNanos;
          // Each failed recovery doubles the next open period, up to the maximum.
          nextOpenNanos = Math.min(nextOpenNanos * 2, policy.maxOpenDuration().toNanos());
        }
        case HALF_OPEN -> halfOpenSuccesses.set(0);
        case CLOSED -> {
          consecutiveFailures.set(0);
          nextOpenNanos = policy.openDuration().toNanos();
        }
      }
      long open = openNanos;
      notifier.enqueue(() -> transitions.changed(from, to, open));
      probes.set((current + 1) << 32);
      state = to;
    } finally {
      lock.unlock();
    }
    notifier.deliver();
  }
}
