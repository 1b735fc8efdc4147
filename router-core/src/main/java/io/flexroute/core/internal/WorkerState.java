package io.flexroute.core.internal;

import io.flexroute.HealthState;
import io.flexroute.core.strategy.internal.InFlightCounters;
import io.flexroute.Worker;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.Transport;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The router's live state of one worker: the counters strategies read and the in-flight guard
 * maintains.
 *
 * <p>Counters are atomics read without locks. The in-flight requests and tokens live in a {@link
 * InFlightCounters.Cell}: the registry's packed table once the worker is registered, so that
 * candidate lists can scan them without touching this object. The description, health, control state and reported
 * load are volatile fields written only under the registry's lock; the known weight version is an
 * atomic reference that the {@link WeightVersionTracker} changes.
 */
final class WorkerState implements WorkerView {

  private static final VarHandle PARKED_UNTIL;

  static {
    try {
      PARKED_UNTIL =
          MethodHandles.lookup().findVarHandle(WorkerState.class, "parkedUntilNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Worker worker;
  private final Transport transport;
  // Written once by the registry before the state is published; requests read it after the
  // snapshot's volatile publication.
  private InFlightCounters.Cell inFlight = InFlightCounters.standalone();
  private final AtomicLong completed = new AtomicLong();
  private final Ewma latency = new Ewma();
  private final Ewma ttft = new Ewma();
  private volatile HealthState health = HealthState.HEALTHY;
  private volatile @Nullable WorkerLoad reportedLoad;
  private volatile long parkedUntilNanos = Long.MIN_VALUE;
  private final AtomicInteger passiveFailures = new AtomicInteger();
  private final AtomicInteger probeFailures = new AtomicInteger();
  private final AtomicInteger probeSuccesses = new AtomicInteger();
  private @Nullable CircuitBreaker breaker;
  private volatile boolean paused;
  /**
   * Weight updates under way on this worker: a count, not a flag, so that when two overlapping
   * broadcasts update it, the first to end does not put it back in rotation while the second still
   * runs. Changed under the registry's lock.
   */
  private volatile int updates;
  private final AtomicReference<@Nullable String> weightVersion = new AtomicReference<>();

  WorkerState(Worker worker, Transport transport) {
    this.worker = worker;
    this.transport = transport;
  }

  /**
   * Moves the in-flight counters into the registry's table; called once, before the worker is
   * published, while nothing is counted yet.
   */
  void useInFlightCell(InFlightCounters.Cell cell) {
    this.inFlight = cell;
  }

  /** The cell candidate lists scan for this worker. */
  InFlightCounters.Cell inFlightCell() {
    return inFlight;
  }

  /** Attaches the breaker; called once, before the worker is published. */
  void setBreaker(CircuitBreaker breaker) {
    this.breaker = breaker;
  }

  @Nullable CircuitBreaker breaker() {
    return breaker;
  }

  @Override
  public BreakerState breakerState() {
    CircuitBreaker b = breaker;
    return b == null ? BreakerState.CLOSED : b.state();
  }

  @Override
  public long parkedUntilNanos() {
    return parkedUntilNanos;
  }

  /**
   * Parks the worker until {@code nanos} unless it is already parked until later: two rate limits
   * answered at once keep the longer parking, whichever is recorded last.
   *
   * @return whether this call moved the end of the parking
   */
  boolean parkUntil(long nanos) {
    while (true) {
      long current = parkedUntilNanos;
      if (current != Long.MIN_VALUE && current - nanos >= 0) {
        return false;
      }
      if (PARKED_UNTIL.compareAndSet(this, current, nanos)) {
        return true;
      }
    }
  }

  /**
   * Whether the worker may be chosen now: healthy, breaker not open, not parked.
   *
   * @param nowNanos the current {@link System#nanoTime()}
   * @return {@code true} if it is a candidate
   */
  boolean isAvailable(long nowNanos) {
    if (!health.acceptsRequests()) {
      return false;
    }
    CircuitBreaker b = breaker;
    if (b != null && b.state() == BreakerState.OPEN) {
      return false;
    }
    long parked = parkedUntilNanos;
    return parked == Long.MIN_VALUE || parked - nowNanos <= 0;
  }

  /**
   * Updating wins over paused: a paused worker may update its weights (pause, update, continue is
   * the usual training step), and stays paused after the update ends.
   */
  @Override
  public ControlState controlState() {
    if (updates > 0) {
      return ControlState.UPDATING;
    }
    return paused ? ControlState.PAUSED : ControlState.SERVING;
  }

  void setPaused(boolean paused) {
    this.paused = paused;
  }

  /** @return whether a fleet pause holds the worker out of rotation */
  boolean isPaused() {
    return paused;
  }

  /** Counts an update starting ({@code true}) or ending ({@code false}). */
  void setUpdating(boolean updating) {
    int n = updates + (updating ? 1 : -1);
    this.updates = Math.max(0, n);
  }

  @Override
  public @Nullable String weightVersion() {
    return weightVersion.get();
  }

  /**
   * How many versions weight updates have recorded on the worker; written under {@link
   * #weightVersionCell()}'s monitor, and only by the {@link WeightVersionTracker}. Volatile, since
   * every attempt reads it without the monitor when it is sent.
   */
  volatile long versionSets;

  /**
   * How many versions updates and reads have recorded on the worker; written under {@link
   * #weightVersionCell()}'s monitor by the {@link WeightVersionTracker}, read without it when an
   * attempt is sent. Reads count here but not in {@link #versionSets}, so that a read never
   * defeats another read, yet an answer sent before either cannot undo what it recorded.
   */
  volatile long versionRecords;

  /** The known version's cell, which only the {@link WeightVersionTracker} writes. */
  AtomicReference<@Nullable String> weightVersionCell() {
    return weightVersion;
  }

  AtomicInteger passiveFailures() {
    return passiveFailures;
  }

  AtomicInteger probeFailures() {
    return probeFailures;
  }

  AtomicInteger probeSuccesses() {
    return probeSuccesses;
  }

  /**
   * Takes an in-flight slot only if the worker runs fewer than {@code limit} requests.
   *
   * @return the guard, or null when the worker is at its limit
   */
  @Nullable InFlightGuard tryAcquire(int tokens, int limit) {
    return inFlight.tryAcquire(tokens, limit) ? new InFlightGuard(this, tokens) : null;
  }

  @Override
  public Worker worker() {
    return worker;
  }

  @Override
  public String id() {
    return worker.id();
  }

  Transport transport() {
    return transport;
  }

  void setWorker(Worker worker) {
    this.worker = worker;
  }

  @Override
  public int inFlightRequests() {
    return inFlight.requests();
  }

  @Override
  public long inFlightTokens() {
    return inFlight.tokens();
  }

  @Override
  public long ewmaLatencyNanos() {
    return latency.get();
  }

  @Override
  public long ewmaTtftNanos() {
    return ttft.get();
  }

  @Override
  public HealthState health() {
    return health;
  }

  void setHealth(HealthState health) {
    this.health = health;
  }

  @Override
  public @Nullable WorkerLoad reportedLoad() {
    return reportedLoad;
  }

  void setReportedLoad(@Nullable WorkerLoad load) {
    this.reportedLoad = load;
  }

  @Override
  public long completedRequests() {
    return completed.get();
  }

  /**
   * Counts a request as running on this worker; the guard undoes it exactly once.
   *
   * @param tokens the request's estimated prompt tokens
   * @return the guard to release when the request ends, or null when the worker already counts as
   *     many requests as one worker can ({@link InFlightCounters#MAX_REQUESTS})
   */
  @Nullable InFlightGuard acquire(int tokens) {
    return inFlight.acquire(tokens) ? new InFlightGuard(this, tokens) : null;
  }

  void release(int tokens) {
    inFlight.release(tokens);
    completed.incrementAndGet();
  }

  /** Undoes {@link #acquire} for a request that was never sent. */
  void unacquire(int tokens) {
    inFlight.release(tokens);
  }

  void recordLatency(long nanos) {
    latency.record(nanos);
  }

  void recordTtft(long nanos) {
    ttft.record(nanos);
  }

  @Override
  public String toString() {
    return "WorkerState{" + worker.id() + ", inFlight=" + inFlight.requests() + ", health=" + health
        + (controlState() != ControlState.SERVING ? ", " + controlState() : "")
        + (weightVersion.get() != null ? ", weightVersion=" + weightVersion.get() : "") + "}";
  }
}
