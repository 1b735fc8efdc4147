package io.flexroute.transport.http;

import io.flexroute.spi.CallContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link CallContext} for tests: a fixed deadline, fixed headers, and a cancel() trigger. */
final class FakeCallContext implements CallContext {

  private final String requestId;
  private final long deadlineNanos;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final List<Runnable> actions = new ArrayList<>();
  private boolean cancelled;

  FakeCallContext(String requestId, Duration timeout, Map<String, String> headers) {
    this.requestId = requestId;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    this.timeout = timeout;
    this.headers = Map.copyOf(headers);
  }

  static FakeCallContext of(String requestId) {
    return new FakeCallContext(requestId, Duration.ofSeconds(30), Map.of());
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public Duration remaining() {
    return Duration.ofNanos(deadlineNanos - System.nanoTime());
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
  public synchronized boolean isCancelled() {
    return cancelled;
  }

  @Override
  public void onCancel(Runnable action) {
    synchronized (this) {
      if (!cancelled) {
        actions.add(action);
        return;
      }
    }
    action.run();
  }

  /** Cancels the call and runs the registered actions on the calling thread. */
  void cancel() {
    List<Runnable> toRun;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      toRun = new ArrayList<>(actions);
      actions.clear();
    }
    toRun.forEach(Runnable::run);
  }

  synchronized int registeredActions() {
    return actions.size();
  }
}
