package io.flexroute.testkit.worker.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Tracks the requests being served, counts the generation requests among them, and delivers
 * aborts, stall releases and the worker's close to them.
 */
final class InFlightRegistry {

  private static final int ABORT_LOG_CAPACITY = 10_000;

  private final Set<InFlight> running = ConcurrentHashMap.newKeySet();
  private final AtomicInteger generations = new AtomicInteger();
  private final AtomicLong releaseEpoch = new AtomicLong();
  private final Signal signal = new Signal();
  private final ReentrantLock abortLock = new ReentrantLock();
  private final ArrayDeque<String> abortedIds = new ArrayDeque<>();
  private volatile boolean closed;

  /** Registers a request; if the worker is already closing, it is stopped at once. */
  InFlight register(@Nullable String rid, boolean generation) {
    InFlight flight = new InFlight(rid, generation, releaseEpoch.get());
    running.add(flight);
    if (generation) {
      generations.incrementAndGet();
      signal.announce();
    }
    if (closed) {
      flight.stop(StopReason.CLOSED);
    }
    return flight;
  }

  void unregister(InFlight flight) {
    if (running.remove(flight) && flight.generation()) {
      generations.decrementAndGet();
      signal.announce();
    }
  }

  int activeGenerations() {
    return generations.get();
  }

  boolean awaitActive(int atLeast, Duration timeout) throws InterruptedException {
    return signal.await(() -> generations.get() >= atLeast, timeout);
  }

  boolean awaitIdle(Duration timeout) throws InterruptedException {
    return signal.await(() -> generations.get() == 0, timeout);
  }

  /** Returns the KV tokens held by the running generation requests. */
  long generatedTokens() {
    long generated = 0;
    for (InFlight flight : running) {
      generated += flight.generatedTokens();
    }
    return generated;
  }

  long usedTokens() {
    long used = 0;
    for (InFlight flight : running) {
      used += flight.usedTokens();
    }
    return used;
  }

  /**
   * Records an abort request and stops every running generation whose rid starts with
   * {@code ridPrefix} (every one, if {@code all}); an empty prefix matches nothing.
   */
  void abort(String ridPrefix, boolean all) {
    if (!ridPrefix.isEmpty()) {
      abortLock.lock();
      try {
        abortedIds.addLast(ridPrefix);
        if (abortedIds.size() > ABORT_LOG_CAPACITY) {
          abortedIds.removeFirst();
        }
      } finally {
        abortLock.unlock();
      }
    }
    for (InFlight flight : running) {
      String rid = flight.rid();
      if (rid != null && (all || (!ridPrefix.isEmpty() && rid.startsWith(ridPrefix)))) {
        flight.stop(StopReason.ABORTED);
      }
    }
  }

  List<String> abortedIds() {
    abortLock.lock();
    try {
      return List.copyOf(abortedIds);
    } finally {
      abortLock.unlock();
    }
  }

  /**
   * Marks a request as stalled. If a stall release happened after the request arrived but before
   * it reached its stall, the release applies to it at once, so that a test releasing stalls right
   * after seeing its requests arrive never misses one.
   */
  void markStalled(InFlight flight) {
    flight.markStalled();
    if (releaseEpoch.get() > flight.releaseEpoch()) {
      flight.stop(StopReason.RELEASED);
    }
  }

  /** Releases every stalled request and every request already received that stalls later. */
  void releaseStalls() {
    releaseEpoch.incrementAndGet();
    for (InFlight flight : running) {
      if (flight.stalled()) {
        flight.stop(StopReason.RELEASED);
      }
    }
  }

  /** Stops every running request and every request registered from now on. */
  void closeAll() {
    closed = true;
    for (InFlight flight : running) {
      flight.stop(StopReason.CLOSED);
    }
  }
}
