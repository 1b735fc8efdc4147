package io.flexroute.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load driver for end-to-end runs: a fixed number of client threads each send a
 * request, wait for its end, and send the next, until the run's request count is reached. It
 * measures each request's latency and time to first chunk into HdrHistogram distributions, the CPU
 * time of its own threads, and that of the whole JVM.
 *
 * <pre>{@code
 * LoadResult result = LoadDriver.withConcurrency(8).run(10_000, (i, clock) -> router.chat(req));
 * System.out.println(result.latencyMicros(99));
 * }</pre>
 *
 * <p>Closed loop means that the offered load adapts to the system: a slower system gets fewer
 * requests per second, and latency percentiles describe requests at the given concurrency, not at a
 * fixed arrival rate.
 *
 * <p>Instances are immutable and thread-safe; each {@link #run} starts its own daemon threads and
 * waits for them to end, so runs from different threads do not share state (but do share the CPU).
 */
public final class LoadDriver {

  private final int concurrency;
  private final String threadNamePrefix;

  private LoadDriver(int concurrency, String threadNamePrefix) {
    this.concurrency = concurrency;
    this.threadNamePrefix = threadNamePrefix;
  }

  /**
   * Returns a driver with this many client threads, named {@code load-driver-N}.
   *
   * @param concurrency the number of requests in flight at once, at least 1
   * @return the driver
   * @throws IllegalArgumentException if the concurrency is below 1
   */
  public static LoadDriver withConcurrency(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, but was " + concurrency);
    }
    return new LoadDriver(concurrency, "load-driver-");
  }

  /**
   * Returns a driver like this one whose threads are named {@code <prefix>N}, to tell them apart in
   * profiles and per-thread CPU accounting.
   *
   * @param prefix the thread-name prefix, not blank
   * @return a new driver
   * @throws IllegalArgumentException if the prefix is blank
   */
  public LoadDriver threadNamePrefix(String prefix) {
    Objects.requireNonNull(prefix, "threadNamePrefix");
    if (prefix.isBlank()) {
      throw new IllegalArgumentException("threadNamePrefix must not be blank");
    }
    return new LoadDriver(concurrency, prefix);
  }

  /**
   * Returns the number of client threads.
   *
   * @return the concurrency
   */
  public int concurrency() {
    return concurrency;
  }

  /**
   * Sends {@code requests} requests through the task from {@link #concurrency()} threads at once
   * and returns what was measured. The first failed request stops the run.
   *
   * @param requests how many requests to send, at least 1
   * @param task sends one request
   * @return the measurements
   * @throws IllegalArgumentException if {@code requests} is below 1
   * @throws IllegalStateException if a request failed (the cause is the task's exception)
   * @throws InterruptedException if interrupted while waiting for the threads
   */
  public LoadResult run(int requests, LoadTask task) throws InterruptedException {
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be >= 1, but was " + requests);
    }
    Objects.requireNonNull(task, "task");
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(concurrency);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(concurrency);
    List<ClientThread> clients = new ArrayList<>(concurrency);
    for (int t = 0; t < concurrency; t++) {
      ClientThread client =
          new ClientThread(threadNamePrefix + t, requests, task, next, failure, ready, go, done);
      clients.add(client);
      client.start();
    }
    ready.await();
    long processBefore = CpuClocks.processNanos();
    long start = System.nanoTime();
    go.countDown();
    done.await();
    long wall = System.nanoTime() - start;
    long processCpu = CpuClocks.processNanos() - processBefore;
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("a request failed: " + e, e);
    }
    Histogram latency = LoadResult.newHistogram();
    Histogram firstChunk = LoadResult.newHistogram();
    long driverCpu = 0;
    for (ClientThread client : clients) {
      latency.add(client.latency);
      firstChunk.add(client.firstChunk);
      driverCpu += client.cpuNanos;
    }
    return new LoadResult(
        requests, wall, driverCpu, Math.max(0, processCpu), latency, firstChunk);
  }

  @Override
  public String toString() {
    return "LoadDriver{concurrency=" + concurrency + "}";
  }

  /** One client thread: claims sequence numbers until the run's count is reached. */
  private static final class ClientThread extends Thread {
    private final int requests;
    private final LoadTask task;
    private final AtomicInteger next;
    private final AtomicReference<Throwable> failure;
    private final CountDownLatch ready;
    private final CountDownLatch go;
    private final CountDownLatch done;
    final Histogram latency = LoadResult.newHistogram();
    final Histogram firstChunk = LoadResult.newHistogram();
    // Written by this thread before done.countDown(), read by the driver after done.await().
    long cpuNanos;

    ClientThread(
        String name,
        int requests,
        LoadTask task,
        AtomicInteger next,
        AtomicReference<Throwable> failure,
        CountDownLatch ready,
        CountDownLatch go,
        CountDownLatch done) {
      super(name);
      setDaemon(true);
      this.requests = requests;
      this.task = task;
      this.next = next;
      this.failure = failure;
      this.ready = ready;
      this.go = go;
      this.done = done;
    }

    @Override
    public void run() {
      RequestClock clock = new RequestClock(firstChunk);
      try {
        ready.countDown();
        go.await();
        long cpuStart = CpuClocks.currentThreadNanos();
        try {
          for (int i = next.getAndIncrement();
              i < requests && failure.get() == null;
              i = next.getAndIncrement()) {
            long start = System.nanoTime();
            clock.start(start);
            task.send(i, clock);
            latency.recordValue(Math.max(0, System.nanoTime() - start));
          }
        } finally {
          cpuNanos = CpuClocks.currentThreadNanos() - cpuStart;
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      } finally {
        done.countDown();
      }
    }
  }
}
