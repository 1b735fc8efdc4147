package io.flexroute.core.internal;

import io.flexroute.HealthState;
import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RouterListener;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans events out to the configured listeners. A listener that throws is logged once per listener
 * class and event, and never disturbs the request or the other listeners.
 */
final class ListenerSet {

  private static final Logger log = LoggerFactory.getLogger(ListenerSet.class);

  private final RouterListener[] listeners;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  ListenerSet(List<RouterListener> listeners) {
    this.listeners = listeners.toArray(new RouterListener[0]);
  }

  boolean isEmpty() {
    return listeners.length == 0;
  }

  private void each(String event, Consumer<RouterListener> call) {
    for (RouterListener l : listeners) {
      try {
        call.accept(l);
      } catch (VirtualMachineError e) {
        throw e; // out of memory or stack: nothing a listener did, and nothing to carry on with
      } catch (Throwable e) {
        // Also an Error (a listener's missing optional class) or a checked exception thrown
        // sneakily: the request, breaker or registry change that emitted the event must go on.
        if (warned.add(l.getClass().getName() + "#" + event)) {
          log.warn("listener {} threw in {}; further failures of it there are logged at DEBUG",
              l.getClass().getName(), event, e);
        } else {
          log.debug("listener {} threw in {}", l.getClass().getName(), event, e);
        }
      }
    }
  }

  void requestStarted(RequestView request) {
    if (listeners.length != 0) {
      each("requestStarted", l -> l.requestStarted(request));
    }
  }

  void workerSelected(RequestView request, WorkerView worker, String strategy) {
    if (listeners.length != 0) {
      each("workerSelected", l -> l.workerSelected(request, worker, strategy));
    }
  }

  void retryScheduled(
      RequestView request, WorkerView failed, Throwable error, int nextAttempt, Duration backoff) {
    if (listeners.length != 0) {
      each("retryScheduled", l -> l.retryScheduled(request, failed, error, nextAttempt, backoff));
    }
  }

  void breakerStateChanged(
      WorkerView worker, io.flexroute.spi.BreakerState previous,
      io.flexroute.spi.BreakerState current) {
    each("breakerStateChanged", l -> l.breakerStateChanged(worker, previous, current));
  }

  void firstChunk(RequestView request, WorkerView worker, Duration ttft) {
    if (listeners.length != 0) {
      each("firstChunk", l -> l.firstChunk(request, worker, ttft));
    }
  }

  void requestFinished(
      RequestView request,
      @Nullable WorkerView worker,
      RequestOutcome outcome,
      Duration duration,
      @Nullable TokenUsage usage,
      @Nullable Throwable error) {
    if (listeners.length != 0) {
      each("requestFinished",
          l -> l.requestFinished(request, worker, outcome, duration, usage, error));
    }
  }

  void workerAdded(WorkerView worker) {
    each("workerAdded", l -> l.workerAdded(worker));
  }

  void workerRemoved(WorkerView worker) {
    each("workerRemoved", l -> l.workerRemoved(worker));
  }

  void healthChanged(WorkerView worker, HealthState previous, HealthState current) {
    each("healthChanged", l -> l.healthChanged(worker, previous, current));
  }

  void routerClosed(List<Worker> workers) {
    each("routerClosed", l -> l.routerClosed(workers));
  }
}
