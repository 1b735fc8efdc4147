package io.flexroute.testkit.grpc;

import io.flexroute.testkit.grpc.internal.FakeOutputs;
import io.flexroute.testkit.grpc.internal.SchedulerService;
import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.okhttp.OkHttpServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A fake SGLang gRPC scheduler ({@code sglang.grpc.scheduler.SglangScheduler}) for tests, demos and
 * benchmarks of the gRPC transport, with no GPU and no external process.
 *
 * <pre>{@code
 * try (FakeScheduler scheduler = FakeScheduler.builder().ttft(Duration.ofMillis(20)).start();
 *     GrpcTransport grpc = GrpcTransport.create();
 *     Router router = Router.builder().transport(grpc)
 *         .worker(Worker.of("g1", scheduler.url())).build()) {
 *   scheduler.enqueue(GrpcFault.status(Status.Code.UNAVAILABLE, "queue full"));
 *   ... send token-id generations ...
 *   assertThat(scheduler.requests()).hasSize(2);
 * }
 * }</pre>
 *
 * <h2>Serving</h2>
 *
 * It listens on {@code 127.0.0.1} with grpc-okhttp's server ({@link #url()}, a {@code grpc://}
 * URL), and also in process under {@link #inProcessName()}, for a channel from {@link
 * #newInProcessChannel()}. It permits client keep-alive pings every 10 s, as SGLang's server does.
 *
 * <h2>Protocol</h2>
 *
 * Generate follows the current SGLang servicer: with {@code stream} it sends one {@code chunk} per
 * {@linkplain Builder#tokensPerChunk step} (delta token ids and logprobs, cumulative counts), then
 * a {@code complete} that repeats the last delta and carries the finish reason and counts; without
 * it, one {@code complete} with every token. Like the servicer it refuses, with INVALID_ARGUMENT,
 * the proto3 zero values that are no engine default ({@code top_p} 0, {@code top_k} 0, {@code
 * repetition_penalty} 0), a missing {@code tokenized} input or {@code sampling_params}, an empty
 * request id and {@code n > 1}. Abort aborts every running call whose id starts with the given id,
 * ending it with INTERNAL "Request aborted". HealthCheck, GetLoads (running calls, token usage),
 * GetModelInfo, GetServerInfo and FlushCache (refused while calls run) answer too; the other RPCs
 * answer UNIMPLEMENTED.
 *
 * <h2>Output</h2>
 *
 * By default each prompt gets a deterministic answer of 8 to 64 tokens ending with EOS (id 2),
 * cut at {@code max_new_tokens} (finish reason {@code length}), or exactly {@code max_new_tokens}
 * tokens with {@code ignore_eos}; logprobs lie in (-5, 0]. {@link Builder#output} replaces it.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * All methods are thread-safe. Calls run on a cached pool of daemon threads, paced by one daemon
 * timer thread. {@link #close()} ends running calls with UNAVAILABLE, stops both servers and waits
 * for them, and shuts the threads down.
 */
public final class FakeScheduler implements AutoCloseable {

  private static final AtomicInteger SCHEDULERS = new AtomicInteger();

  private final SchedulerService service;
  private final Server tcp;
  private final Server inProcess;
  private final String inProcessName;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;

  private FakeScheduler(Builder b) {
    int n = SCHEDULERS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-scheduler-" + n + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fake-scheduler-" + n + "-timer");
              t.setDaemon(true);
              return t;
            });
    this.service =
        new SchedulerService(
            new SchedulerService.Settings(
                b.model,
                b.script,
                b.ttft,
                b.interTokenDelay,
                b.tokensPerChunk,
                b.maxContextLength,
                b.maxTotalTokens,
                b.requestLogCapacity),
            timer);
    ServerInterceptor metadata =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            return Contexts.interceptCall(
                io.grpc.Context.current().withValue(SchedulerService.METADATA, headers),
                call,
                headers,
                next);
          }
        };
    this.inProcessName = "flexroute-fake-scheduler-" + n + "-" + InProcessServerBuilder
        .generateName();
    Server startedTcp = null;
    try {
      startedTcp =
          OkHttpServerBuilder.forPort(
                  new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), b.port),
                  InsecureServerCredentials.create())
              .executor(executor)
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true)
              .addService(ServerInterceptors.intercept(service, metadata))
              .build()
              .start();
      this.inProcess =
          InProcessServerBuilder.forName(inProcessName)
              .executor(executor)
              .addService(ServerInterceptors.intercept(service, metadata))
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      // Release what started, or a failed construction would keep a port and threads.
      if (startedTcp != null) {
        startedTcp.shutdownNow();
      }
      executor.shutdownNow();
      timer.shutdownNow();
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new UncheckedIOException("could not start the fake scheduler", (IOException) e);
    }
    this.tcp = startedTcp;
  }

  /**
   * Returns a builder with the defaults described on each setter.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a scheduler with default settings.
   *
   * @return the running scheduler
   */
  public static FakeScheduler start() {
    return builder().start();
  }

  /**
   * The URL of the loopback server, {@code grpc://127.0.0.1:PORT}, for a worker.
   *
   * @return the URL
   */
  public String url() {
    return "grpc://127.0.0.1:" + port();
  }

  /**
   * The loopback server's port.
   *
   * @return the port
   */
  public int port() {
    return tcp.getPort();
  }

  /**
   * The in-process server's name.
   *
   * @return the name
   */
  public String inProcessName() {
    return inProcessName;
  }

  /**
   * A new channel to the in-process server, for {@code GrpcTransport.Builder.channel} or a channel
   * factory. The caller owns it and shuts it down.
   *
   * @return the channel
   */
  public ManagedChannel newInProcessChannel() {
    return InProcessChannelBuilder.forName(inProcessName).build();
  }

  /**
   * Queues a fault for the next Generate call.
   *
   * @param fault the fault
   */
  public void enqueue(GrpcFault fault) {
    service.enqueue(Objects.requireNonNull(fault, "fault"));
  }

  /**
   * Queues a fault for each of the next {@code times} Generate calls.
   *
   * @param fault the fault
   * @param times how many calls, at least 1
   * @throws IllegalArgumentException if {@code times} is below 1
   */
  public void enqueue(GrpcFault fault, int times) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be >= 1, but was " + times);
    }
    for (int i = 0; i < times; i++) {
      enqueue(fault);
    }
  }

  /**
   * Returns how many queued faults have not been used yet.
   *
   * @return the count
   */
  public int pendingFaults() {
    return service.pendingFaults();
  }

  /** Drops every queued fault. */
  public void clearFaults() {
    service.clearFaults();
  }

  /**
   * Returns the recorded Generate calls, oldest first (the most recent ones, up to the {@linkplain
   * Builder#requestLogCapacity capacity}).
   *
   * @return an immutable list
   */
  public List<RecordedGenerate> requests() {
    return service.requests();
  }

  /**
   * Returns how many Generate calls arrived, including those no longer in the log.
   *
   * @return the count
   */
  public long requestCount() {
    return service.requestCount();
  }

  /**
   * Returns the request ids received by Abort, in arrival order.
   *
   * @return an immutable list
   */
  public List<String> abortedRequestIds() {
    return service.aborts();
  }

  /**
   * Waits until Abort was received for a request id.
   *
   * @param requestId the id
   * @param timeout how long to wait
   * @return {@code true} if it arrived in time
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitAbort(String requestId, Duration timeout) throws InterruptedException {
    return service.awaitAbort(Objects.requireNonNull(requestId, "requestId"), timeout);
  }

  /**
   * Returns how many Generate calls are running, including stalled ones.
   *
   * @return the count
   */
  public int activeRequests() {
    return service.active();
  }

  /**
   * Waits until at least {@code count} Generate calls are running.
   *
   * @param count the number of calls
   * @param timeout how long to wait
   * @return {@code true} if reached in time
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitActiveRequests(int count, Duration timeout) throws InterruptedException {
    return service.awaitActive(count, true, timeout);
  }

  /**
   * Waits until no Generate call is running.
   *
   * @param timeout how long to wait
   * @return {@code true} if idle in time
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return service.awaitActive(0, false, timeout);
  }

  /**
   * Waits until at least {@code count} Generate calls arrived in total.
   *
   * @param count the number of calls
   * @param timeout how long to wait
   * @return {@code true} if reached in time
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitRequestCount(long count, Duration timeout) throws InterruptedException {
    return service.awaitReceived(count, timeout);
  }

  /**
   * Sets whether HealthCheck answers healthy. Generation keeps working either way.
   *
   * @param healthy the answer
   */
  public void setHealthy(boolean healthy) {
    service.setHealthy(healthy);
  }

  /**
   * Returns how many {@code FlushCache} calls succeeded (a call fails while Generate calls run).
   *
   * @return the count
   */
  public long flushCount() {
    return service.flushCount();
  }

  /**
   * Sets the weight version GetModelInfo reports. Default {@code "default"}.
   *
   * @param weightVersion the version
   */
  public void setWeightVersion(String weightVersion) {
    service.setWeightVersion(Objects.requireNonNull(weightVersion, "weightVersion"));
  }

  /**
   * Fixes the token usage GetLoads reports; NaN (the default) estimates it from the running calls'
   * prompt and output tokens against the KV-cache capacity.
   *
   * @param tokenUsage in [0, 1], or NaN
   * @throws IllegalArgumentException if out of range
   */
  public void setTokenUsage(double tokenUsage) {
    if (!Double.isNaN(tokenUsage) && (tokenUsage < 0 || tokenUsage > 1)) {
      throw new IllegalArgumentException("tokenUsage must be in [0, 1] or NaN, but was "
          + tokenUsage);
    }
    service.setTokenUsage(tokenUsage);
  }

  /**
   * Ends running calls with UNAVAILABLE, stops both servers and waits (up to ten seconds) for them,
   * and shuts the scheduler's threads down. Idempotent.
   */
  @Override
  public void close() {
    service.close();
    tcp.shutdownNow();
    inProcess.shutdownNow();
    boolean interrupted = false;
    try {
      tcp.awaitTermination(10, TimeUnit.SECONDS);
      inProcess.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    timer.shutdownNow();
    executor.shutdownNow();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FakeScheduler{url=" + url() + ", inProcess=" + inProcessName + "}";
  }

  /**
   * Configures and starts a {@link FakeScheduler}.
   *
   * <p>Not thread-safe; use one builder from one thread. A builder may start several schedulers.
   */
  public static final class Builder {
    private String model = "fake-model";
    private SchedulerOutput.Script script = new FakeOutputs();
    private Duration ttft = Duration.ZERO;
    private Duration interTokenDelay = Duration.ZERO;
    private int tokensPerChunk = 1;
    private int maxContextLength = 4096;
    private int maxTotalTokens = 500_000;
    private int requestLogCapacity = 10_000;
    private int port;

    private Builder() {}

    /**
     * Sets the model name GetModelInfo reports. Default {@code "fake-model"}.
     *
     * @param model the name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    /**
     * Replaces the default output with a script: programmable tokens, logprobs and finish
     * reasons. The result is still cut at the request's {@code max_new_tokens}.
     *
     * @param script the script
     * @return this builder
     */
    public Builder output(SchedulerOutput.Script script) {
      this.script = Objects.requireNonNull(script, "output");
      return this;
    }

    /**
     * Sets the time to first token. Default 0.
     *
     * @param ttft the delay, not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder ttft(Duration ttft) {
      this.ttft = notNegative(ttft, "ttft");
      return this;
    }

    /**
     * Sets the wait between consecutive tokens, for streamed and plain answers alike. Default 0.
     *
     * @param delay the delay, not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder interTokenDelay(Duration delay) {
      this.interTokenDelay = notNegative(delay, "interTokenDelay");
      return this;
    }

    /**
     * Sets how many tokens each streamed chunk carries (SGLang's {@code stream_interval}). Default
     * 1.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder tokensPerChunk(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("tokensPerChunk must be >= 1, but was " + tokens);
      }
      this.tokensPerChunk = tokens;
      return this;
    }

    /**
     * Sets the context length; longer prompts are refused with INVALID_ARGUMENT. Default 4096.
     *
     * @param tokens at least 2
     * @return this builder
     * @throws IllegalArgumentException if below 2
     */
    public Builder maxContextLength(int tokens) {
      if (tokens < 2) {
        throw new IllegalArgumentException("maxContextLength must be >= 2, but was " + tokens);
      }
      this.maxContextLength = tokens;
      return this;
    }

    /**
     * Sets the KV-cache capacity in tokens that GetLoads reports. Default 500,000.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxTotalTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("maxTotalTokens must be >= 1, but was " + tokens);
      }
      this.maxTotalTokens = tokens;
      return this;
    }

    /**
     * Sets how many recent Generate calls {@link FakeScheduler#requests()} keeps. Default 10,000.
     *
     * @param capacity at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder requestLogCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("requestLogCapacity must be >= 1, but was " + capacity);
      }
      this.requestLogCapacity = capacity;
      return this;
    }

    /**
     * Sets the loopback port. Default 0: an ephemeral port.
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in [0, 65535], but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Starts a scheduler with these settings.
     *
     * @return the running scheduler
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public FakeScheduler start() {
      return new FakeScheduler(this);
    }

    private static Duration notNegative(@Nullable Duration value, String field) {
      Objects.requireNonNull(value, field);
      if (value.isNegative()) {
        throw new IllegalArgumentException(field + " must not be negative, but was " + value);
      }
      return value;
    }
  }
}
