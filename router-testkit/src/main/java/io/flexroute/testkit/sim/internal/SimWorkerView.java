package io.flexroute.testkit.sim.internal;

import io.flexroute.HealthState;
import io.flexroute.Worker;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import org.jspecify.annotations.Nullable;

/**
 * A simulated worker as strategies see it, with the numbers the router keeps: in-flight requests
 * and estimated prompt tokens (taken at dispatch, given back when the request ends), averages of
 * latency and time to first chunk, completed requests, and the load the worker last reported.
 *
 * <p>The fields are volatile so that a strategy reading them from another thread sees current
 * values, but a simulation changes them from its one thread only.
 */
public final class SimWorkerView implements WorkerView {

  private final Worker worker;
  private final int index;
  private final Object fleet;
  private volatile int inFlight;
  private volatile long inFlightTokens;
  private volatile long completed;
  private final Ewma latency = new Ewma();
  private final Ewma ttft = new Ewma();
  private volatile long latencyValue;
  private volatile long ttftValue;
  private volatile @Nullable WorkerLoad reportedLoad;

  SimWorkerView(Worker worker, int index, Object fleet) {
    this.worker = worker;
    this.index = index;
    this.fleet = fleet;
  }

  /** @return the worker's position in its fleet */
  public int index() {
    return index;
  }

  boolean belongsTo(Object owner) {
    return fleet == owner;
  }

  @Override
  public Worker worker() {
    return worker;
  }

  @Override
  public String id() {
    return worker.id();
  }

  @Override
  public int inFlightRequests() {
    return inFlight;
  }

  @Override
  public long inFlightTokens() {
    return inFlightTokens;
  }

  @Override
  public long ewmaLatencyNanos() {
    return latencyValue;
  }

  @Override
  public long ewmaTtftNanos() {
    return ttftValue;
  }

  @Override
  public HealthState health() {
    return HealthState.HEALTHY;
  }

  @Override
  public @Nullable WorkerLoad reportedLoad() {
    return reportedLoad;
  }

  @Override
  public long completedRequests() {
    return completed;
  }

  void acquire(int tokens) {
    inFlight = inFlight + 1;
    inFlightTokens = inFlightTokens + tokens;
  }

  void release(int tokens) {
    inFlight = inFlight - 1;
    inFlightTokens = inFlightTokens - tokens;
    completed = completed + 1;
  }

  void recordLatency(long nanos) {
    latency.record(nanos);
    latencyValue = latency.get();
  }

  void recordTtft(long nanos) {
    ttft.record(nanos);
    ttftValue = ttft.get();
  }

  void report(WorkerLoad load) {
    this.reportedLoad = load;
  }

  @Override
  public String toString() {
    return "SimWorkerView{" + worker.id() + ", inFlight=" + inFlight + "}";
  }
}
