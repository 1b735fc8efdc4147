package io.flexroute.testkit.worker.internal;

import com.sun.net.httpserver.HttpServer;
import io.flexroute.testkit.ToyTokenizer;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.FaultPolicy;
import io.flexroute.testkit.worker.RecordedRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running fake worker: the JDK HTTP server on the loopback interface, its thread pool, and the
 * shared state behind it. The engine behind {@link io.flexroute.testkit.worker.FakeWorker}.
 *
 * <p>Thread-safe.
 */
public final class WorkerRuntime {

  private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
  private static final int BACKLOG = 1024;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  static {
    // The JDK server keeps Nagle's algorithm on unless this property is set before it first loads
    // its configuration. It writes headers and body as separate segments, so every response would
    // then wait about 40 ms for the client's delayed ACK, which distorts latency measurements.
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  private final WorkerContext context;
  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private WorkerRuntime(WorkerContext context, HttpServer server, ThreadPoolExecutor executor) {
    this.context = context;
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code 127.0.0.1:port} and starts serving.
   *
   * @param settings the configuration
   * @param tokenizer the tokenizer for prompts and answers
   * @param port the port, 0 for an ephemeral one
   * @return the running worker
   * @throws IOException if the port cannot be bound
   */
  public static WorkerRuntime start(WorkerSettings settings, ToyTokenizer tokenizer, int port)
      throws IOException {
    WorkerContext context = new WorkerContext(settings, tokenizer);
    InetAddress loopback = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), BACKLOG);
    // A cached pool: one thread per concurrent request, so hundreds of streams can run at once.
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            new DaemonThreadFactory("fake-worker-" + server.getAddress().getPort() + "-"));
    server.setExecutor(executor);
    server.createContext("/", new Dispatcher(context, RouteTable.standard()));
    startAsDaemon(server);
    log.debug("Fake worker serving {} on port {}", settings.model(), server.getAddress().getPort());
    return new WorkerRuntime(context, server, executor);
  }

  /**
   * Starts the server from a short-lived daemon thread: the JDK server's dispatcher thread inherits
   * its daemon status from the thread that starts it, and a non-daemon dispatcher would keep the
   * JVM alive if a demo or benchmark forgot to close the worker.
   */
  private static void startAsDaemon(HttpServer server) throws IOException {
    Thread starter = new Thread(server::start, "fake-worker-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop(0);
      throw new InterruptedIOException("interrupted while starting the fake worker");
    }
  }

  /**
   * Returns the bound port.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Returns the current weight version.
   *
   * @return the version
   */
  public String weightVersion() {
    return context.state().weightVersion();
  }

  /**
   * Sets the weight version.
   *
   * @param weightVersion the version
   */
  public void setWeightVersion(String weightVersion) {
    context.state().setWeightVersion(weightVersion);
  }

  /**
   * Returns the current model path.
   *
   * @return the path
   */
  public String modelPath() {
    return context.state().modelPath();
  }

  /**
   * Tells whether generation is paused.
   *
   * @return true between {@code /pause_generation} and {@code /continue_generation}
   */
  public boolean paused() {
    return context.pause().paused();
  }

  /** Holds every weight update from now until {@link #releaseWeightUpdates()}. */
  public void holdWeightUpdates() {
    context.weightUpdates().hold();
  }

  /** Lets held weight updates (and later ones) go on. */
  public void releaseWeightUpdates() {
    context.weightUpdates().release();
  }

  /**
   * Fails the next weight updates.
   *
   * @param times how many
   * @param message the failure's message
   */
  public void failNextWeightUpdates(int times, String message) {
    context.weightUpdates().failNext(times, message);
  }

  /**
   * Returns the weight-update group the worker joined.
   *
   * @return the group name, or null
   */
  public @Nullable String weightUpdateGroup() {
    return context.weightUpdates().group();
  }

  /**
   * Waits until the recent requests include a number to one path.
   *
   * @param path the path
   * @param count the number
   * @param timeout the longest wait
   * @return true if reached
   * @throws InterruptedException if interrupted
   */
  public boolean awaitRequests(String path, int count, Duration timeout)
      throws InterruptedException {
    return context.log().awaitPath(path, count, timeout);
  }

  /**
   * Tells whether the health endpoints answer 200.
   *
   * @return the health state
   */
  public boolean healthy() {
    return context.state().healthy();
  }

  /**
   * Sets whether the health endpoints answer 200 or 503.
   *
   * @param healthy the health state
   */
  public void setHealthy(boolean healthy) {
    context.state().setHealthy(healthy);
  }

  /**
   * Fixes the reported token usage.
   *
   * @param tokenUsage the usage ratio, or NaN to estimate it from the running requests
   */
  public void setTokenUsage(double tokenUsage) {
    context.state().setTokenUsage(tokenUsage);
  }

  /**
   * Queues a fault.
   *
   * @param fault the fault
   * @param times how many matching requests it applies to
   */
  public void enqueue(Fault fault, int times) {
    context.faults().enqueue(fault, times);
  }

  /**
   * Returns the number of unused queued faults.
   *
   * @return the count
   */
  public int pendingFaults() {
    return context.faults().pending();
  }

  /**
   * Sets the fault policy.
   *
   * @param policy the policy, or null for none
   */
  public void setFaultPolicy(@Nullable FaultPolicy policy) {
    context.faults().setPolicy(policy);
  }

  /** Drops the queued faults and the policy. */
  public void clearFaults() {
    context.faults().clear();
  }

  /** Ends every stalled request by dropping its connection. */
  public void releaseStalls() {
    context.flights().releaseStalls();
  }

  /**
   * Returns the recorded requests.
   *
   * @return a snapshot, oldest first
   */
  public List<RecordedRequest> requests() {
    return context.log().snapshot();
  }

  /**
   * Returns the total number of requests received.
   *
   * @return the count
   */
  public long requestCount() {
    return context.log().count();
  }

  /**
   * Waits for the total request count to reach a value.
   *
   * @param count the count to wait for
   * @param timeout the longest wait
   * @return true if reached
   * @throws InterruptedException if interrupted
   */
  public boolean awaitRequestCount(long count, Duration timeout) throws InterruptedException {
    return context.log().awaitCount(count, timeout);
  }

  /**
   * Returns the number of in-flight generation requests.
   *
   * @return the count
   */
  public int activeRequests() {
    return context.flights().activeGenerations();
  }

  /**
   * Returns the output tokens the running generation requests have produced so far.
   *
   * @return the token count
   */
  public long generatedTokens() {
    return context.flights().generatedTokens();
  }

  /**
   * Waits for the number of in-flight generation requests to reach a value.
   *
   * @param count the count to wait for
   * @param timeout the longest wait
   * @return true if reached
   * @throws InterruptedException if interrupted
   */
  public boolean awaitActiveRequests(int count, Duration timeout) throws InterruptedException {
    return context.flights().awaitActive(count, timeout);
  }

  /**
   * Waits until no generation request is in flight.
   *
   * @param timeout the longest wait
   * @return true if idle
   * @throws InterruptedException if interrupted
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return context.flights().awaitIdle(timeout);
  }

  /**
   * Returns the rids received by {@code /abort_request}.
   *
   * @return a snapshot in arrival order
   */
  public List<String> abortedRequestIds() {
    return context.flights().abortedIds();
  }

  /**
   * Stops the server, drops running requests and waits for the threads to end; idempotent.
   */
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    context.flights().closeAll();
    context.weightUpdates().release();
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Fake worker threads still running {} after close", CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
