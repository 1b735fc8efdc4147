package io.flexroute.testkit.fake;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.InferenceRequest;
import io.flexroute.RouterException;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import io.flexroute.spi.Transport;
import io.flexroute.spi.WorkerLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An in-process {@link Transport} for tests: it records every call as a {@link FakeCall} and answers
 * it as its {@link Behavior} says (succeed at once, fail, or hold it for the test to finish).
 *
 * <pre>{@code
 * FakeTransport transport = FakeTransport.create().behavior(Behavior.HOLD);
 * Router router = Router.builder().transport(transport).worker("w1", "http://w1:1").build();
 * CompletableFuture<GenerateResult> f = router.generateAsync(GenerateRequest.ofText("hi"));
 * FakeCall call = transport.awaitCall(Duration.ofSeconds(5));
 * call.complete();
 * }</pre>
 *
 * <p>Supports every worker URL scheme. Thread-safe.
 */
public final class FakeTransport implements Transport {

  /**
   * Decides what happens to each call. Called from the threads that make calls, possibly several
   * at once: implementations must be thread-safe (the built-in ones are).
   */
  @FunctionalInterface
  public interface Behavior {
    /** Completes calls at once; streams emit two chunks and end. The default. */
    Behavior SUCCEED = call -> Action.SUCCEED;
    /** Holds calls until the test finishes them. */
    Behavior HOLD = call -> Action.HOLD;

    /**
     * Decides the action for a call.
     *
     * @param call the call
     * @return the action
     */
    Action decide(FakeCall call);

    /**
     * Fails every call with this error.
     *
     * @param error the error
     * @return the behaviour
     */
    static Behavior failWith(RouterException error) {
      return call -> {
        call.fail(error);
        return Action.HOLD;
      };
    }

    /**
     * Fails every call with an HTTP status error from the worker.
     *
     * @param status the HTTP status
     * @return the behaviour
     */
    static Behavior status(int status) {
      return call -> {
        call.fail(
            new WorkerException(
                call.workerId(), WorkerException.Kind.HTTP_STATUS, status, "fake status " + status,
                "{\"error\":{\"message\":\"fake\"}}", null));
        return Action.HOLD;
      };
    }
  }

  /** What the transport does with a call. */
  public enum Action {
    /** Answer with a canned success (two chunks then the end, for streams). */
    SUCCEED,
    /** Leave the call to the test (or to what the behaviour already did with it). */
    HOLD
  }

  private volatile Behavior behavior = Behavior.SUCCEED;
  private final Map<String, Behavior> perWorker = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<FakeCall> pending = new LinkedBlockingQueue<>();
  private final List<FakeCall> calls = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Boolean> unhealthy = new ConcurrentHashMap<>();
  private final Map<String, WorkerLoad> loads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> loadReads = new ConcurrentHashMap<>();
  private final List<String> aborts = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> removedWorkers =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean closed = new AtomicBoolean();

  private FakeTransport() {}

  /**
   * Creates a transport whose calls succeed at once.
   *
   * @return the transport
   */
  public static FakeTransport create() {
    return new FakeTransport();
  }

  /**
   * Sets the behaviour for every worker without its own.
   *
   * @param behavior the behaviour
   * @return this transport
   */
  public FakeTransport behavior(Behavior behavior) {
    this.behavior = Objects.requireNonNull(behavior, "behavior");
    return this;
  }

  /**
   * Sets the behaviour for one worker.
   *
   * @param workerId the worker
   * @param behavior the behaviour
   * @return this transport
   */
  public FakeTransport behavior(String workerId, Behavior behavior) {
    perWorker.put(workerId, Objects.requireNonNull(behavior, "behavior"));
    return this;
  }

  /**
   * Makes health probes of a worker fail (or succeed again).
   *
   * @param workerId the worker
   * @param healthy whether probes succeed
   * @return this transport
   */
  public FakeTransport healthy(String workerId, boolean healthy) {
    if (healthy) {
      unhealthy.remove(workerId);
    } else {
      unhealthy.put(workerId, Boolean.TRUE);
    }
    return this;
  }

  /**
   * Sets the load a worker reports to {@link #fetchLoad}; without one, load reads fail.
   *
   * @param workerId the worker
   * @param load the load to report (its timestamp is replaced by the time of each read)
   * @return this transport
   */
  public FakeTransport load(String workerId, WorkerLoad load) {
    loads.put(workerId, Objects.requireNonNull(load, "load"));
    return this;
  }

  /**
   * How many times the router asked a worker for its load, answered or not.
   *
   * @param workerId the worker
   * @return the number of {@link #fetchLoad} calls for it
   */
  public int loadReads(String workerId) {
    AtomicInteger reads = loadReads.get(workerId);
    return reads == null ? 0 : reads.get();
  }

  /** @return the request ids the router asked to abort, in order */
  public List<String> aborts() {
    synchronized (aborts) {
      return List.copyOf(aborts);
    }
  }

  /**
   * Waits for the next call not yet taken by this method.
   *
   * @param timeout how long to wait
   * @return the call
   * @throws AssertionError if no call arrives in time
   * @throws InterruptedException if interrupted
   */
  public FakeCall awaitCall(Duration timeout) throws InterruptedException {
    FakeCall call = pending.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (call == null) {
      throw new AssertionError("no call arrived within " + timeout);
    }
    return call;
  }

  /** @return every call received so far, in order */
  public List<FakeCall> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** @return whether {@link #close()} was called */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public boolean supports(Worker worker) {
    return true;
  }

  private FakeCall record(Worker worker, InferenceRequest request, CallContext ctx, boolean stream) {
    FakeCall call = new FakeCall(worker.id(), request, ctx, stream);
    calls.add(call);
    pending.add(call);
    return call;
  }

  private Action decide(FakeCall call) {
    Behavior b = perWorker.getOrDefault(call.workerId(), behavior);
    return b.decide(call);
  }

  private <R> CompletableFuture<R> unary(
      Worker worker, InferenceRequest request, CallContext ctx, Function<Object, R> cast) {
    FakeCall call = record(worker, request, ctx, false);
    if (decide(call) == Action.SUCCEED) {
      call.complete();
    }
    return call.result().thenApply(cast);
  }

  private <C> ChunkSource<C> stream(
      Worker worker, InferenceRequest request, CallContext ctx, Class<C> type) {
    FakeCall call = record(worker, request, ctx, true);
    if (decide(call) == Action.SUCCEED) {
      call.emit("Hello");
      call.emit(" world");
      call.end();
    }
    return call.source(type);
  }

  @Override
  public CompletableFuture<GenerateResult> generate(
      Worker worker, GenerateRequest request, CallContext context) {
    return unary(worker, request, context, GenerateResult.class::cast);
  }

  @Override
  public ChunkSource<GenerateChunk> generateStream(
      Worker worker, GenerateRequest request, CallContext context) {
    return stream(worker, request, context, GenerateChunk.class);
  }

  @Override
  public CompletableFuture<ChatCompletion> chat(
      Worker worker, ChatRequest request, CallContext context) {
    return unary(worker, request, context, ChatCompletion.class::cast);
  }

  @Override
  public ChunkSource<ChatChunk> chatStream(
      Worker worker, ChatRequest request, CallContext context) {
    return stream(worker, request, context, ChatChunk.class);
  }

  @Override
  public CompletableFuture<TextCompletion> complete(
      Worker worker, CompletionRequest request, CallContext context) {
    return unary(worker, request, context, TextCompletion.class::cast);
  }

  @Override
  public ChunkSource<CompletionChunk> completeStream(
      Worker worker, CompletionRequest request, CallContext context) {
    return stream(worker, request, context, CompletionChunk.class);
  }

  @Override
  public CompletableFuture<Void> checkHealth(Worker worker, CallContext context) {
    if (unhealthy.containsKey(worker.id())) {
      return CompletableFuture.failedFuture(
          new WorkerException(
              worker.id(), WorkerException.Kind.HTTP_STATUS, 503, "unhealthy", null, null));
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<WorkerLoad> fetchLoad(Worker worker, CallContext context) {
    loadReads.computeIfAbsent(worker.id(), id -> new AtomicInteger()).incrementAndGet();
    WorkerLoad load = loads.get(worker.id());
    if (load == null) {
      return CompletableFuture.failedFuture(
          new WorkerException(
              worker.id(), WorkerException.Kind.HTTP_STATUS, 404, "no load configured", null, null));
    }
    return CompletableFuture.completedFuture(
        new WorkerLoad(
            load.runningRequests(), load.waitingRequests(), load.kvCacheUsage(),
            System.nanoTime()));
  }

  @Override
  public CompletableFuture<Void> abort(Worker worker, String requestId, CallContext context) {
    aborts.add(requestId);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void onWorkerRemoved(Worker worker) {
    removedWorkers.add(worker.id());
  }

  /**
   * The ids of the workers the transport was told left a fleet ({@link #onWorkerRemoved}), in
   * order.
   *
   * @return the ids
   */
  public List<String> removedWorkers() {
    synchronized (removedWorkers) {
      return List.copyOf(removedWorkers);
    }
  }

  @Override
  public void close() {
    closed.set(true);
  }

  /** Describes the transport. */
  @Override
  public String toString() {
    return "FakeTransport{calls=" + calls.size() + "}";
  }

}
