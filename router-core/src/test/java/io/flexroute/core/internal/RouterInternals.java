package io.flexroute.core.internal;

import io.flexroute.Router;
import io.flexroute.spi.WorkerView;

/** Lets tests outside this package read the accounting a router keeps internally. */
public final class RouterInternals {

  private RouterInternals() {}

  /**
   * @param router a router built by router-core
   * @return the router-wide concurrency permits it holds now
   */
  public static int globalPermitsHeld(Router router) {
    return ((DefaultRouter) router).globalPermitsHeld();
  }

  /**
   * @param router a router built by router-core
   * @return the requests waiting in its admission queue now
   */
  public static int waitingRequests(Router router) {
    return ((DefaultRouter) router).waitingRequests();
  }

  /**
   * @param router a router built by router-core
   * @return whether no request waits for a router-wide permit now
   */
  public static boolean permitLineEmpty(Router router) {
    return ((DefaultRouter) router).permitLineEmpty();
  }

  /**
   * @param router a router built by router-core
   * @return the requests that have started and not yet ended
   */
  public static int activeRequests(Router router) {
    return ((DefaultRouter) router).activeRequests();
  }

  /**
   * @param worker a worker view of a router built by router-core
   * @return the half-open probes its breaker counts as running
   */
  public static int breakerProbesInFlight(WorkerView worker) {
    CircuitBreaker breaker = ((WorkerState) worker).breaker();
    return breaker == null ? 0 : breaker.probesInFlight();
  }
}
