package io.flexroute.benchmarks.resilience;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The outcomes of one class of requests: successes with their latency, typed errors by kind,
 * untyped failures, requests that ended after their deadline (how many, by how much at most, and
 * how many by more than the slack), and streams that delivered a token twice or lost one.
 *
 * <p>Thread-safe: callers record concurrently; the histogram is a {@link Recorder}.
 */
final class Tally {

  private final String name;
  private final Recorder latencyMicros = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private final LongAdder successes = new LongAdder();
  private final LongAdder untyped = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder pastDeadline = new LongAdder();
  private final LongAccumulator maxOverrunNanos = new LongAccumulator(Math::max, 0);
  private final LongAdder corrupt = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  Tally(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  void success(long nanos) {
    successes.increment();
    latencyMicros.recordValue(Math.max(1, nanos / 1_000));
  }

  void typedError(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  void untyped() {
    untyped.increment();
  }

  /**
   * Records when a request ended relative to its deadline.
   *
   * @param nanos how long it took
   * @param deadlineNanos its deadline
   * @param lateNanos the overrun beyond which it counts as late
   */
  void ended(long nanos, long deadlineNanos, long lateNanos) {
    long overrun = nanos - deadlineNanos;
    if (overrun > 0) {
      pastDeadline.increment();
      maxOverrunNanos.accumulate(overrun);
      if (overrun > lateNanos) {
        late.increment();
      }
    }
  }

  void corrupt() {
    corrupt.increment();
  }

  long successes() {
    return successes.sum();
  }

  long typedErrors() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long untypedFailures() {
    return untyped.sum();
  }

  long lateCount() {
    return late.sum();
  }

  long pastDeadlineCount() {
    return pastDeadline.sum();
  }

  double maxOverrunMillis() {
    return maxOverrunNanos.get() / 1e6;
  }

  long corruptCount() {
    return corrupt.sum();
  }

  long requests() {
    return successes() + typedErrors() + untypedFailures();
  }

  /** @return the typed errors by kind, sorted by name */
  Map<String, Long> errorsByKind() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** @return the latency of successes so far, in microseconds */
  synchronized Histogram latency() {
    total.add(latencyMicros.getIntervalHistogram());
    return total;
  }
}
