package io.flexroute.testkit.sim.internal;

import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a strategy exactly as the router does, on virtual time.
 *
 * <ul>
 *   <li>{@code select} gets the request's view and the same immutable candidate list every time.
 *   <li>A strategy that throws, returns null or returns a worker that is not a candidate is counted
 *       as a fault and the request goes to the least-loaded candidate (scan from a random start),
 *       as the router's fallback does; {@link Choice#none} rejects the request, which then never
 *       reaches a worker and gets no feedback.
 *   <li>Dispatch takes the worker's in-flight slot: one request and its estimated prompt tokens.
 *   <li>A stream's first chunk records the worker's time-to-first-chunk average.
 *   <li>The end releases the slot first, then records the latency average (success), then calls
 *       {@code onComplete} once with the request's view, the worker, the outcome, the time since
 *       dispatch, the time to first chunk (streams only) and the token usage the worker reported;
 *       an exception from {@code onComplete} is ignored.
 * </ul>
 *
 * <p>Not thread-safe; runs on its simulation's thread.
 */
final class SimRouter {

  private static final Logger log = LoggerFactory.getLogger(SimRouter.class);

  /** One routed request on one worker. */
  static final class Attempt {
    final SimRequestView view;
    final SimWorkerView worker;
    final long startNanos;
    long firstChunkNanos = -1;
    boolean finished;

    Attempt(SimRequestView view, SimWorkerView worker, long startNanos) {
      this.view = view;
      this.worker = worker;
      this.startNanos = startNanos;
    }
  }

  private final RoutingStrategy strategy;
  private final List<WorkerView> candidates;
  private final Object fleet;
  private final SplittableRandom random;
  private final Set<String> warned = new HashSet<>();
  private long faults;
  private long rejections;
  private final long[] selections;

  SimRouter(RoutingStrategy strategy, List<WorkerView> candidates, Object fleet, long seed) {
    this.strategy = strategy;
    this.candidates = candidates;
    this.fleet = fleet;
    this.random = new SplittableRandom(seed);
    this.selections = new long[candidates.size()];
  }

  /**
   * Selects a worker and takes its in-flight slot.
   *
   * @return the attempt, or null when the strategy declined
   */
  @Nullable Attempt route(SimRequestView view, long nowNanos) {
    SimWorkerView chosen = select(view);
    if (chosen == null) {
      rejections++;
      return null;
    }
    chosen.acquire(view.estimatedPromptTokens());
    selections[chosen.index()]++;
    return new Attempt(view, chosen, nowNanos);
  }

  private @Nullable SimWorkerView select(SimRequestView view) {
    Choice choice;
    try {
      choice = strategy.select(view, candidates);
    } catch (RuntimeException e) {
      return fallback("threw " + e, e);
    }
    if (choice == null) {
      return fallback("returned null", null);
    }
    WorkerView w = choice.worker();
    if (w == null) {
      return null;
    }
    if (!(w instanceof SimWorkerView s) || !s.belongsTo(fleet) || candidates.get(s.index()) != s) {
      return fallback("chose worker '" + w.id() + "', which is not a candidate", null);
    }
    return s;
  }

  private SimWorkerView fallback(String what, @Nullable Throwable error) {
    faults++;
    if (warned.add(what.length() > 60 ? what.substring(0, 60) : what)) {
      log.warn(
          "strategy {} {}; routing to the least-loaded candidate instead (logged once)",
          strategy.name(),
          what,
          error);
    }
    int n = candidates.size();
    int start = random.nextInt(n);
    WorkerView best = candidates.get(start);
    for (int i = 1; i < n; i++) {
      WorkerView w = candidates.get((start + i) % n);
      // The router's fallback rule: fewest requests, then fewest estimated tokens.
      if (w.inFlightRequests() < best.inFlightRequests()
          || (w.inFlightRequests() == best.inFlightRequests()
              && w.inFlightTokens() < best.inFlightTokens())) {
        best = w;
      }
    }
    return (SimWorkerView) best;
  }

  void firstChunk(Attempt a, long nowNanos) {
    if (a.view.streaming() && a.firstChunkNanos < 0) {
      a.firstChunkNanos = nowNanos;
      a.worker.recordTtft(Math.max(1, nowNanos - a.startNanos));
    }
  }

  void finish(Attempt a, long nowNanos, TokenUsage usage) {
    if (a.finished) {
      return;
    }
    a.finished = true;
    a.worker.release(a.view.estimatedPromptTokens());
    long duration = Math.max(1, nowNanos - a.startNanos);
    a.worker.recordLatency(duration);
    Duration ttft =
        a.firstChunkNanos < 0
            ? null
            : Duration.ofNanos(Math.max(1, a.firstChunkNanos - a.startNanos));
    try {
      strategy.onComplete(
          new RequestFeedback(
              a.view, a.worker, RequestOutcome.SUCCESS, Duration.ofNanos(duration), ttft, usage));
    } catch (RuntimeException e) {
      if (warned.add("onComplete")) {
        log.warn("strategy {} threw in onComplete; ignoring it", strategy.name(), e);
      }
    }
  }

  long faults() {
    return faults;
  }

  long rejections() {
    return rejections;
  }

  long[] selections() {
    return selections.clone();
  }
}
