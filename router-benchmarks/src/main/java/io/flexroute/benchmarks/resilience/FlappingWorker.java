package io.flexroute.benchmarks.resilience;

import io.flexroute.testkit.worker.FakeWorker;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A fake worker that goes down and comes back on the same port at a fixed period, as a worker
 * process that crashes and is restarted: going down closes the server, which drops the connections
 * of the requests it is running, and new connections are refused until it is back.
 *
 * <p>Thread-safe: a background thread does the flapping; {@link #close()} stops it and the worker.
 */
final class FlappingWorker implements AutoCloseable {

  private final Supplier<FakeWorker.Builder> builder;
  private final Duration period;
  private final int port;
  private final Thread flapper;
  private final AtomicInteger downs = new AtomicInteger();
  private volatile @Nullable FakeWorker current;
  private volatile boolean stopped;

  /**
   * Starts the worker and its flapping.
   *
   * @param builder makes the builder of each incarnation (the port is set here)
   * @param period how long it stays up, then down, then up again
   */
  FlappingWorker(Supplier<FakeWorker.Builder> builder, Duration period) {
    this.builder = builder;
    this.period = period;
    FakeWorker first = builder.get().start();
    this.port = first.port();
    this.current = first;
    this.flapper = new Thread(this::flap, "flapping-worker");
    flapper.setDaemon(true);
    flapper.start();
  }

  /** @return the base URL, the same for every incarnation */
  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** @return how many times the worker went down */
  int downs() {
    return downs.get();
  }

  private void flap() {
    try {
      while (!stopped) {
        Thread.sleep(period.toMillis());
        if (stopped) {
          return;
        }
        FakeWorker up = current;
        if (up != null) {
          current = null;
          up.close();
          downs.incrementAndGet();
        } else {
          current = startOnPort();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Binds the same port again; the kernel may need a moment to release it. */
  private FakeWorker startOnPort() throws InterruptedException {
    UncheckedIOException last = null;
    for (int i = 0; i < 100; i++) {
      try {
        return builder.get().port(port).start();
      } catch (UncheckedIOException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw last;
  }

  /** Stops flapping (leaving the worker up) and waits for the flapping thread. */
  void stopFlapping() throws InterruptedException {
    stopped = true;
    flapper.interrupt();
    flapper.join();
    if (current == null) {
      current = startOnPort();
    }
  }

  @Override
  public void close() {
    stopped = true;
    flapper.interrupt();
    FakeWorker w = current;
    if (w != null) {
      w.close();
    }
  }
}
