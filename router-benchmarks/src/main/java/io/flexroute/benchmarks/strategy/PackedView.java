package io.flexroute.benchmarks.strategy;

import io.flexroute.HealthState;
import io.flexroute.Worker;
import io.flexroute.core.strategy.internal.InFlightCounters;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import org.jspecify.annotations.Nullable;

/**
 * A worker view whose in-flight counts live in a packed {@link InFlightCounters} cell, as the
 * router's own worker states' do, and whose other figures come from another view: so that a
 * benchmark can hand strategies the list type the router hands them ({@code CountedCandidates}).
 * Thread-safe if the other view is.
 */
final class PackedView implements WorkerView {

  private final WorkerView figures;
  private final InFlightCounters.Cell cell;

  /**
   * Creates the view, setting the cell to the other view's in-flight counts.
   *
   * @param figures the view that gives every figure but the in-flight counts
   * @param cell a fresh cell
   */
  PackedView(WorkerView figures, InFlightCounters.Cell cell) {
    this.figures = figures;
    this.cell = cell;
    int requests = figures.inFlightRequests();
    // One request carries all the tokens; the others none (a request may count 0 to 2^31 - 1).
    cell.acquire((int) Math.min(figures.inFlightTokens(), Integer.MAX_VALUE));
    if (requests == 0) {
      cell.release(0);
    }
    for (int r = 1; r < requests; r++) {
      cell.acquire(0);
    }
  }

  InFlightCounters.Cell cell() {
    return cell;
  }

  @Override
  public Worker worker() {
    return figures.worker();
  }

  @Override
  public int inFlightRequests() {
    return cell.requests();
  }

  @Override
  public long inFlightTokens() {
    return cell.tokens();
  }

  @Override
  public long ewmaLatencyNanos() {
    return figures.ewmaLatencyNanos();
  }

  @Override
  public long ewmaTtftNanos() {
    return figures.ewmaTtftNanos();
  }

  @Override
  public HealthState health() {
    return figures.health();
  }

  @Override
  public @Nullable WorkerLoad reportedLoad() {
    return figures.reportedLoad();
  }

  @Override
  public long completedRequests() {
    return figures.completedRequests();
  }

  @Override
  public BreakerState breakerState() {
    return figures.breakerState();
  }

  @Override
  public @Nullable String weightVersion() {
    return figures.weightVersion();
  }

  @Override
  public ControlState controlState() {
    return figures.controlState();
  }

  @Override
  public long parkedUntilNanos() {
    return figures.parkedUntilNanos();
  }
}
