package io.flexroute.transport.grpc;

import io.flexroute.spi.CallContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A call context for transport tests: a fixed deadline, headers, and a cancel switch. */
final class TestContext implements CallContext {

  private final String requestId;
  private final long deadlineNanos;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final List<Runnable> actions = new ArrayList<>();
  private boolean cancelled;

  TestContext(String requestId, Duration timeout, Map<String, String> headers) {
    this.requestId = requestId;
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    this.headers = headers;
  }

  static TestContext of(String requestId) {
    return new TestContext(requestId, Duration.ofSeconds(30), Map.of());
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

  void cancel() {
    List<Runnable> toRun;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      toRun = List.copyOf(actions);
      actions.clear();
    }
    toRun.forEach(Runnable::run);
  }
}
