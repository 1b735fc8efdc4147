package io.flexroute.core.internal;

import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.spi.BreakerState;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One worker's circuit breaker: closed, open, half-open with a bounded number of probes.
 *
 * <p>The common path (a success while closed) is one volatile read and, only after a fault, one
 * write. Transitions are serialised by a lock and reported to a {@link Transitions} callback, which
 * republishes the registry snapshot (an open worker is not a candidate) and schedules the move to
 * half-open.
 */
final class CircuitBreaker {

  /** Receives state changes; called outside the lock. */
  interface Transitions {
    void changed(BreakerState previous, BreakerState current, long openNanos);
  }

  private final CircuitBreakerPolicy policy;
  private final Transitions transitions;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicInteger halfOpenSuccesses = new AtomicInteger();
  private final AtomicInteger probes = new AtomicInteger();
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

  /**
   * Asks to send a request: always granted while closed, granted to a bounded number of concurrent
   * probes while half-open, refused while open.
   *
   * @return {@code true} with a permit, which {@link #onResult} gives back
   */
  boolean tryAcquire() {
    BreakerState s = state;
    if (s == BreakerState.CLOSED) {
      return true;
    }
    if (s == BreakerState.OPEN) {
      return false;
    }
    int max = policy.halfOpenProbes();
    while (true) {
      int current = probes.get();
      if (current >= max) {
        return false;
      }
      if (probes.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /**
   * Records the outcome of a request that holds a permit.
   *
   * @param fault whether the request ended with a worker fault
   * @param neutral whether the outcome says nothing about the worker (the caller cancelled)
   */
  void onResult(boolean fault, boolean neutral) {
    BreakerState s = state;
    if (s == BreakerState.HALF_OPEN) {
      probes.updateAndGet(p -> p > 0 ? p - 1 : 0);
    }
    if (neutral || !policy.isEnabled()) {
      return;
    }
    if (!fault) {
      if (s == BreakerState.CLOSED) {
        if (consecutiveFailures.get() != 0) {
          consecutiveFailures.set(0);
        }
      } else if (s == BreakerState.HALF_OPEN
          && halfOpenSuccesses.incrementAndGet() >= policy.successThreshold()) {
        transition(BreakerState.HALF_OPEN, BreakerState.CLOSED);
      }
      return;
    }
    if (s == BreakerState.HALF_OPEN) {
      transition(BreakerState.HALF_OPEN, BreakerState.OPEN);
    } else if (s == BreakerState.CLOSED
        && consecutiveFailures.incrementAndGet() >= policy.failureThreshold()) {
      transition(BreakerState.CLOSED, BreakerState.OPEN);
    }
  }

  /** Moves an open breaker to half-open, when its open period ends. */
  void openPeriodEnded() {
    transition(BreakerState.OPEN, BreakerState.HALF_OPEN);
  }

  private void transition(BreakerState from, BreakerState to) {
    long openNanos = 0;
    lock.lock();
    try {
      if (state != from) {
        return;
      }
      switch (to) {
        case OPEN -> {
          openNanos = nextOpenNanos;
          // Each failed recovery doubles the next open period, up to the maximum.
          nextOpenNanos = Math.min(nextOpenNanos * 2, policy.maxOpenDuration().toNanos());
          probes.set(0);
        }
        case HALF_OPEN -> {
          halfOpenSuccesses.set(0);
          probes.set(0);
        }
        case CLOSED -> {
          consecutiveFailures.set(0);
          nextOpenNanos = policy.openDuration().toNanos();
        }
      }
      state = to;
    } finally {
      lock.unlock();
    }
    transitions.changed(from, to, openNanos);
  }
}
