package io.flexroute.testkit.worker.internal;

import io.flexroute.testkit.worker.RecordedRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/** Keeps the most recent requests, in arrival order, and counts all of them. */
final class RequestLog {

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<RecordedRequest> recent = new ArrayDeque<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong count = new AtomicLong();
  private final Signal signal = new Signal();

  RequestLog(int capacity) {
    this.capacity = capacity;
  }

  /** Returns the sequence number for the next request to be recorded. */
  long nextSequence() {
    return sequence.incrementAndGet();
  }

  void add(RecordedRequest request) {
    lock.lock();
    try {
      recent.addLast(request);
      while (recent.size() > capacity) {
        recent.removeFirst();
      }
    } finally {
      lock.unlock();
    }
    count.incrementAndGet();
    signal.announce();
  }

  List<RecordedRequest> snapshot() {
    lock.lock();
    try {
      return List.copyOf(recent);
    } finally {
      lock.unlock();
    }
  }

  long count() {
    return count.get();
  }

  /** Waits until the recent requests include at least {@code atLeast} to {@code path}. */
  boolean awaitPath(String path, int atLeast, Duration timeout) throws InterruptedException {
    return signal.await(
        () -> snapshot().stream().filter(r -> r.path().equals(path)).count() >= atLeast, timeout);
  }

  boolean awaitCount(long atLeast, Duration timeout) throws InterruptedException {
    return signal.await(() -> count.get() >= atLeast, timeout);
  }
}
