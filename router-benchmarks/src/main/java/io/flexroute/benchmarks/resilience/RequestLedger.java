package io.flexroute.benchmarks.resilience;

import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The router's own account of every request: how many started, how many it reported finished, and
 * whether any was reported finished twice. Entries are dropped once a request finished exactly
 * once, so memory stays bounded by the requests in flight.
 *
 * <p>Thread-safe.
 */
final class RequestLedger extends RouterListener {

  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final LongAdder started = new LongAdder();
  private final LongAdder finished = new LongAdder();
  private final LongAdder finishedUnknown = new LongAdder();

  @Override
  public void requestStarted(RequestView request) {
    started.increment();
    open.computeIfAbsent(request.requestId(), k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void requestFinished(
      RequestView request,
      @Nullable WorkerView worker,
      RequestOutcome outcome,
      Duration duration,
      @Nullable TokenUsage usage,
      @Nullable Throwable error) {
    finished.increment();
    AtomicInteger count = open.remove(request.requestId());
    if (count == null) {
      // Finished a second time, or never reported started.
      finishedUnknown.increment();
    }
  }

  /** @return requests the router reported started */
  long started() {
    return started.sum();
  }

  /** @return requests the router reported finished */
  long finished() {
    return finished.sum();
  }

  /** @return requests started and not (yet) finished */
  int unfinished() {
    return open.size();
  }

  /** @return finish reports for requests already finished or never started */
  long duplicateFinishes() {
    return finishedUnknown.sum();
  }
}
