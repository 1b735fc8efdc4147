package io.flexroute.testkit.worker.internal;

import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.FaultPolicy;
import io.flexroute.testkit.worker.RecordedRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Holds the queued faults and the fault policy, and picks the fault for each request. */
final class FaultBook {

  private static final Logger log = LoggerFactory.getLogger(FaultBook.class);

  private final ReentrantLock lock = new ReentrantLock();
  private final List<Fault> queue = new ArrayList<>();
  private volatile @Nullable FaultPolicy policy;

  void enqueue(Fault fault, int times) {
    lock.lock();
    try {
      for (int i = 0; i < times; i++) {
        queue.add(fault);
      }
    } finally {
      lock.unlock();
    }
  }

  int pending() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  void setPolicy(@Nullable FaultPolicy policy) {
    this.policy = policy;
  }

  void clear() {
    lock.lock();
    try {
      queue.clear();
    } finally {
      lock.unlock();
    }
    policy = null;
  }

  /**
   * Removes and returns the oldest queued fault that matches the request; failing that, asks the
   * policy.
   */
  @Nullable Fault select(RecordedRequest request) {
    lock.lock();
    try {
      for (Iterator<Fault> it = queue.iterator(); it.hasNext(); ) {
        Fault fault = it.next();
        if (fault.matches(request)) {
          it.remove();
          return fault;
        }
      }
    } finally {
      lock.unlock();
    }
    FaultPolicy current = policy;
    if (current == null) {
      return null;
    }
    try {
      Fault fault = current.faultFor(request);
      return fault != null && fault.matches(request) ? fault : null;
    } catch (RuntimeException e) {
      log.warn("Fault policy {} failed on {}; answering normally", current, request, e);
      return null;
    }
  }
}
