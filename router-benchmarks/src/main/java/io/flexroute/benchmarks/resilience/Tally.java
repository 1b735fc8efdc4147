package io.flexroute.benchmarks.resilience;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The outcomes of one class of requests: successes with their latency, typed errors by kind,
 * untyped failures, requests that ended after their deadline (plus slack), and streams that
 * delivered a token twice or lost one.
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

  void late() {
    late.increment();
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
