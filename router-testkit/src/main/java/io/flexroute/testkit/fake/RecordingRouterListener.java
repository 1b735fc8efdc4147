package io.flexroute.testkit.fake;

import io.flexroute.HealthState;
import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RouterListener} that records every event, for assertions in tests.
 *
 * <p>Thread-safe. {@link #awaitFinished(int, Duration)} blocks until the given number of requests
 * ended, without sleeping.
 */
public final class RecordingRouterListener extends RouterListener {

  /**
   * One recorded event. Immutable and thread-safe.
   *
   * @param type the event's method name, such as {@code requestFinished}
   * @param requestId the request's id, or null for worker events
   * @param workerId the worker's id, or null
   * @param outcome the outcome, for {@code requestFinished}
   * @param usage the usage, for {@code requestFinished}
   * @param error the error, for {@code requestFinished}
   */
  public record Event(
      String type,
      @Nullable String requestId,
      @Nullable String workerId,
      @Nullable RequestOutcome outcome,
      @Nullable TokenUsage usage,
      @Nullable Throwable error) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Event> events = new ArrayList<>();
  private int finished;

  /** Creates an empty recorder. */
  public RecordingRouterListener() {}

  private void add(Event e) {
    lock.lock();
    try {
      events.add(e);
      if (e.type().equals("requestFinished")) {
        finished++;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void requestStarted(RequestView request) {
    add(new Event("requestStarted", request.requestId(), null, null, null, null));
  }

  @Override
  public void workerSelected(RequestView request, WorkerView worker, String strategy) {
    add(new Event("workerSelected", request.requestId(), worker.id(), null, null, null));
  }

  @Override
  public void firstChunk(RequestView request, WorkerView worker, Duration timeToFirstChunk) {
    add(new Event("firstChunk", request.requestId(), worker.id(), null, null, null));
  }

  @Override
  public void requestFinished(
      RequestView request,
      @Nullable WorkerView worker,
      RequestOutcome outcome,
      Duration duration,
      @Nullable TokenUsage usage,
      @Nullable Throwable error) {
    add(new Event(
        "requestFinished", request.requestId(), worker == null ? null : worker.id(), outcome,
        usage, error));
  }

  @Override
  public void retryScheduled(
      RequestView request, WorkerView failedWorker, Throwable error, int nextAttempt,
      Duration backoff) {
    add(new Event("retryScheduled", request.requestId(), failedWorker.id(), null, null, error));
  }

  @Override
  public void breakerStateChanged(
      WorkerView worker, io.flexroute.spi.BreakerState previous,
      io.flexroute.spi.BreakerState current) {
    add(new Event("breakerStateChanged", null, worker.id(), null, null, null));
  }

  @Override
  public void workerAdded(WorkerView worker) {
    add(new Event("workerAdded", null, worker.id(), null, null, null));
  }

  @Override
  public void workerRemoved(WorkerView worker) {
    add(new Event("workerRemoved", null, worker.id(), null, null, null));
  }

  @Override
  public void healthChanged(WorkerView worker, HealthState previous, HealthState current) {
    add(new Event("healthChanged", null, worker.id(), null, null, null));
  }

  /** @return a copy of every event so far, in order */
  public List<Event> events() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The recorded events of one type.
   *
   * @param type the event's method name
   * @return the events, in order
   */
  public List<Event> events(String type) {
    List<Event> out = new ArrayList<>();
    for (Event e : events()) {
      if (e.type().equals(type)) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Waits until at least {@code count} requests have finished.
   *
   * @param count the number of {@code requestFinished} events to wait for
   * @param timeout how long to wait
   * @return the {@code requestFinished} events
   * @throws AssertionError if they do not arrive in time
   * @throws InterruptedException if interrupted
   */
  public List<Event> awaitFinished(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (finished < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "expected " + count + " finished requests within " + timeout + ", saw " + finished);
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
    return events("requestFinished");
  }
}
