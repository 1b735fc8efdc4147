package io.flexroute.core.internal;

import io.flexroute.spi.CallContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's id, deadline, headers and cancellation. Cancellation happens once, for the first
 * reason given; the registered actions then run once each, outside any lock.
 */
final class RouterCallContext implements CallContext {

  private static final Logger log = LoggerFactory.getLogger(RouterCallContext.class);

  /** Why a call was cancelled. */
  enum Reason {
    /** The caller cancelled the future, closed the stream, or was interrupted. */
    CALLER,
    /** The deadline expired. */
    TIMEOUT,
    /** The router was closed. */
    CLOSED
  }

  private final String requestId;
  private final long deadlineNanos;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final Object lock = new Object();
  private @Nullable List<Runnable> actions = new ArrayList<>(2);
  private boolean completed;
  private volatile @Nullable Reason reason;

  RouterCallContext(
      String requestId, long startNanos, Duration timeout, Map<String, String> headers) {
    this.requestId = requestId;
    this.timeout = timeout;
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE / 2;
    }
    this.deadlineNanos = startNanos + Math.min(nanos, Long.MAX_VALUE / 2);
    this.headers = headers;
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public Duration remaining() {
    return Duration.ofNanos(deadlineNanos - System.nanoTime());
  }

  long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  @Override
  public Map<String, String> headers() {
    return headers;
  }

  @Override
  public boolean isCancelled() {
    return reason != null;
  }

  @Nullable Reason reason() {
    return reason;
  }

  @Override
  public void onCancel(Runnable action) {
    synchronized (lock) {
      if (actions != null) {
        actions.add(action);
        return;
      }
      if (completed) {
        return;
      }
    }
    run(action);
  }

  /**
   * Cancels the call for a reason, unless it was already cancelled.
   *
   * @return {@code true} if this call cancelled it
   */
  boolean cancel(Reason why) {
    List<Runnable> toRun;
    synchronized (lock) {
      if (actions == null) {
        return false;
      }
      reason = why;
      toRun = actions;
      actions = null;
    }
    for (Runnable action : toRun) {
      run(action);
    }
    return true;
  }

  /**
   * Marks the call as ended normally: registered actions are dropped and never run, and later
   * cancellation does nothing.
   */
  void complete() {
    synchronized (lock) {
      if (actions != null) {
        actions = null;
        completed = true;
      }
    }
  }

  private static void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("a cancellation action threw; ignoring it", e);
    }
  }
}
