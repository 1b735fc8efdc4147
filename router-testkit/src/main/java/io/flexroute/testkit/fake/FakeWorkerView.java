package io.flexroute.testkit.fake;

import io.flexroute.HealthState;
import io.flexroute.Worker;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link WorkerView} whose numbers the test sets, for calling a strategy directly.
 *
 * <pre>{@code
 * List<WorkerView> fleet = FakeWorkerView.fleet(3);
 * ((FakeWorkerView) fleet.get(0)).setInFlight(5);
 * Choice c = new LeastInFlightStrategy().select(FakeRequestView.text("hi"), fleet);
 * }</pre>
 *
 * <p>Thread-safe: every field is atomic or volatile, so concurrency tests can change it while
 * strategies read it.
 */
public final class FakeWorkerView implements WorkerView {

  private volatile Worker worker;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong inFlightTokens = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private volatile long ewmaLatencyNanos;
  private volatile long ewmaTtftNanos;
  private volatile HealthState health = HealthState.HEALTHY;
  private volatile @Nullable WorkerLoad load;
  private volatile @Nullable String weightVersion;
  private volatile ControlState controlState = ControlState.SERVING;

  /**
   * Creates a view of a worker.
   *
   * @param worker the worker described
   */
  public FakeWorkerView(Worker worker) {
    this.worker = worker;
  }

  /**
   * Creates a view of a default worker with this id (URL {@code http://<id>.invalid:30000}).
   *
   * @param id the worker id
   * @return the view
   */
  public static FakeWorkerView of(String id) {
    return new FakeWorkerView(Worker.of(id, "http://" + id + ".invalid:30000"));
  }

  /**
   * Creates views of workers {@code w0 ... w(n-1)}.
   *
   * @param n the number of workers, at least 1
   * @return a new mutable list of views
   */
  public static List<WorkerView> fleet(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, but was " + n);
    }
    List<WorkerView> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(of("w" + i));
    }
    return out;
  }

  @Override
  public Worker worker() {
    return worker;
  }

  /**
   * Replaces the worker description (for example to change its weight).
   *
   * @param worker the new description
   * @return this view
   */
  public FakeWorkerView setWorker(Worker worker) {
    this.worker = worker;
    return this;
  }

  @Override
  public int inFlightRequests() {
    return inFlight.get();
  }

  /**
   * Sets the in-flight request count.
   *
   * @param n the count
   * @return this view
   */
  public FakeWorkerView setInFlight(int n) {
    inFlight.set(n);
    return this;
  }

  /**
   * Adds to the in-flight request count, as a router does when it sends a request.
   *
   * @param delta the change
   * @return the new count
   */
  public int addInFlight(int delta) {
    return inFlight.addAndGet(delta);
  }

  @Override
  public long inFlightTokens() {
    return inFlightTokens.get();
  }

  /**
   * Sets the in-flight token count.
   *
   * @param tokens the count
   * @return this view
   */
  public FakeWorkerView setInFlightTokens(long tokens) {
    inFlightTokens.set(tokens);
    return this;
  }

  @Override
  public long ewmaLatencyNanos() {
    return ewmaLatencyNanos;
  }

  /**
   * Sets the latency average.
   *
   * @param nanos the average in nanoseconds
   * @return this view
   */
  public FakeWorkerView setEwmaLatencyNanos(long nanos) {
    this.ewmaLatencyNanos = nanos;
    return this;
  }

  @Override
  public long ewmaTtftNanos() {
    return ewmaTtftNanos;
  }

  /**
   * Sets the time-to-first-chunk average.
   *
   * @param nanos the average in nanoseconds
   * @return this view
   */
  public FakeWorkerView setEwmaTtftNanos(long nanos) {
    this.ewmaTtftNanos = nanos;
    return this;
  }

  @Override
  public HealthState health() {
    return health;
  }

  /**
   * Sets the health state.
   *
   * @param health the state
   * @return this view
   */
  public FakeWorkerView setHealth(HealthState health) {
    this.health = health;
    return this;
  }

  @Override
  public @Nullable WorkerLoad reportedLoad() {
    return load;
  }

  /**
   * Sets the reported load.
   *
   * @param load the load, or null
   * @return this view
   */
  public FakeWorkerView setReportedLoad(@Nullable WorkerLoad load) {
    this.load = load;
    return this;
  }

  @Override
  public long completedRequests() {
    return completed.get();
  }

  /**
   * Sets the completed request count.
   *
   * @param n the count
   * @return this view
   */
  public FakeWorkerView setCompletedRequests(long n) {
    completed.set(n);
    return this;
  }

  @Override
  public @Nullable String weightVersion() {
    return weightVersion;
  }

  /**
   * Sets the known weight version.
   *
   * @param version the version, or null for unknown
   * @return this view
   */
  public FakeWorkerView setWeightVersion(@Nullable String version) {
    this.weightVersion = version;
    return this;
  }

  @Override
  public ControlState controlState() {
    return controlState;
  }

  /**
   * Sets the control state (serving, paused, updating).
   *
   * @param state the state
   * @return this view
   */
  public FakeWorkerView setControlState(ControlState state) {
    this.controlState = java.util.Objects.requireNonNull(state, "state");
    return this;
  }

  @Override
  public String toString() {
    return "FakeWorkerView{" + worker.id() + ", inFlight=" + inFlight.get() + "}";
  }
}
