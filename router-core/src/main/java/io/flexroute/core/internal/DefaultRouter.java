package io.flexroute.core.internal;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthState;
import io.flexroute.InferenceRequest;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestRejectedException;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterConfig;
import io.flexroute.RouterException;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.WorkerRegistry;
import io.flexroute.spi.ChunkSource;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerDiscovery;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default router: finds the eligible workers in the current snapshot, asks the strategy, runs
 * the call through the worker's transport, and accounts the request's in-flight slot with a guard
 * released exactly once whatever way the request ends.
 */
final class DefaultRouter implements Router {

  private static final Logger log = LoggerFactory.getLogger(DefaultRouter.class);

  private final RoutingStrategy strategy;
  private final String strategyName;
  private final TransportSet transports;
  private final ListenerSet listeners;
  private final WorkerRegistryImpl registry;
  private final Duration defaultTimeout;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Set<CallTracker> active = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> discoveries = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<String> warnedStrategies = ConcurrentHashMap.newKeySet();
  private @Nullable LoadPoller loadPoller;

  DefaultRouter(RouterConfig config) {
    this.strategy = StrategyResolver.resolve(config);
    this.strategyName = strategy.name();
    this.transports = TransportSet.from(config);
    this.listeners = new ListenerSet(config.listeners());
    this.registry = new WorkerRegistryImpl(transports::forWorker, listeners);
    this.defaultTimeout = config.defaultTimeout();
    ExecutorService given = config.executor();
    this.ownsExecutor = given == null;
    this.executor = given != null ? given : Executors.newCachedThreadPool(threads("flexroute-exec"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads("flexroute-timer"));
    // Cancelled deadline timers must not pile up in the queue under heavy traffic.
    scheduler.setRemoveOnCancelPolicy(true);
    try {
      for (Worker w : config.workers()) {
        registry.add(w);
      }
      for (WorkerDiscovery d : config.discoveries()) {
        discoveries.add(d.start(registry));
      }
      Duration pollInterval = config.loadPollInterval();
      if (pollInterval != null) {
        loadPoller = new LoadPoller(registry::snapshot, pollInterval, scheduler);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info("router started: strategy={}, workers={}", strategyName, config.workers().size());
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---- blocking and asynchronous calls ----

  @Override
  public GenerateResult generate(GenerateRequest request) {
    return await(execute(OperationBinding.GENERATE, checkGenerate(request), true));
  }

  @Override
  public CompletableFuture<GenerateResult> generateAsync(GenerateRequest request) {
    return execute(OperationBinding.GENERATE, checkGenerate(request), false);
  }

  @Override
  public ChatCompletion chat(ChatRequest request) {
    return await(execute(OperationBinding.CHAT, request, true));
  }

  @Override
  public CompletableFuture<ChatCompletion> chatAsync(ChatRequest request) {
    return execute(OperationBinding.CHAT, request, false);
  }

  @Override
  public TextCompletion complete(CompletionRequest request) {
    return await(execute(OperationBinding.COMPLETION, request, true));
  }

  @Override
  public CompletableFuture<TextCompletion> completeAsync(CompletionRequest request) {
    return execute(OperationBinding.COMPLETION, request, false);
  }

  // ---- streams ----

  @Override
  public ResponseStream<GenerateChunk> generateStream(GenerateRequest request) {
    return openStream(OperationBinding.GENERATE, checkGenerate(request));
  }

  @Override
  public Flow.Publisher<GenerateChunk> generatePublisher(GenerateRequest request) {
    GenerateRequest checked = checkGenerate(request);
    return new StreamPublisher<>(() -> openStream(OperationBinding.GENERATE, checked), executor);
  }

  @Override
  public ResponseStream<ChatChunk> chatStream(ChatRequest request) {
    return openStream(OperationBinding.CHAT, request);
  }

  @Override
  public Flow.Publisher<ChatChunk> chatPublisher(ChatRequest request) {
    java.util.Objects.requireNonNull(request, "request");
    return new StreamPublisher<>(() -> openStream(OperationBinding.CHAT, request), executor);
  }

  @Override
  public ResponseStream<CompletionChunk> completeStream(CompletionRequest request) {
    return openStream(OperationBinding.COMPLETION, request);
  }

  @Override
  public Flow.Publisher<CompletionChunk> completePublisher(CompletionRequest request) {
    java.util.Objects.requireNonNull(request, "request");
    return new StreamPublisher<>(() -> openStream(OperationBinding.COMPLETION, request), executor);
  }

  private static GenerateRequest checkGenerate(GenerateRequest request) {
    java.util.Objects.requireNonNull(request, "request");
    Integer n = request.sampling().n();
    if (n != null && n > 1) {
      throw new RequestRejectedException(
          RequestRejectedException.Reason.UNSUPPORTED,
          "sampling.n must be 1 for generate (the result holds one sample), but was " + n
              + "; send n separate requests instead");
    }
    return request;
  }

  // ---- the request path ----

  private <Q extends InferenceRequest, R, C> CompletableFuture<R> execute(
      OperationBinding<Q, R, C> op, Q request, boolean completeDirectly) {
    java.util.Objects.requireNonNull(request, "request");
    CallTracker tracker;
    try {
      tracker = begin(request, false);
    } catch (RouterException e) {
      return CompletableFuture.failedFuture(e);
    }
    ResultFuture<R> result = new ResultFuture<>(tracker.context());
    tracker.setFailureSink(e -> deliver(result, null, e, completeDirectly));
    CompletableFuture<R> call;
    try {
      WorkerState worker = tracker.worker();
      call = op.call(worker.transport(), worker.worker(), request, tracker.context());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete(
        (value, error) -> {
          if (error == null) {
            if (tracker.finish(RequestOutcome.SUCCESS, op.usage(value), null)) {
              deliver(result, value, null, completeDirectly);
            }
          } else {
            RouterException mapped = tracker.mapFailure(error);
            if (tracker.finish(CallTracker.outcomeOf(mapped), null, mapped)) {
              deliver(result, null, mapped, completeDirectly);
            }
          }
        });
    return result;
  }

  private <R> void deliver(
      CompletableFuture<R> result, @Nullable R value, @Nullable Throwable error, boolean direct) {
    Runnable completion =
        () -> {
          if (error == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(error);
          }
        };
    if (direct) {
      completion.run();
      return;
    }
    try {
      executor.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run();
    }
  }

  private <Q extends InferenceRequest, R, C> ResponseStream<C> openStream(
      OperationBinding<Q, R, C> op, Q request) {
    java.util.Objects.requireNonNull(request, "request");
    CallTracker tracker = begin(request, true);
    ChunkSource<C> source;
    try {
      WorkerState worker = tracker.worker();
      source = op.open(worker.transport(), worker.worker(), request, tracker.context());
    } catch (RuntimeException e) {
      RouterException mapped = tracker.mapFailure(e);
      tracker.finish(CallTracker.outcomeOf(mapped), null, mapped);
      RouterException recorded = tracker.failure();
      throw recorded != null ? recorded : mapped;
    }
    return new RouterResponseStream<>(tracker, source, op);
  }

  /**
   * Chooses a worker and takes its in-flight slot: everything a request does before the transport
   * is called.
   */
  private CallTracker begin(InferenceRequest request, boolean streaming) {
    long start = System.nanoTime();
    String requestId = request.requestId() != null ? request.requestId() : RequestIds.next();
    RequestViewImpl view = new RequestViewImpl(request, requestId, streaming);
    listeners.requestStarted(view);
    if (closed.get()) {
      throw reject(view, start, new RouterClosedException());
    }
    WorkerSnapshot snapshot = registry.snapshot();
    List<WorkerView> candidates = snapshot.eligible(request.model(), request.role());
    if (candidates.isEmpty()) {
      throw reject(
          view,
          start,
          new NoEligibleWorkerException(
              request.model(),
              request.role(),
              snapshot.explainNoCandidates(request.model(), request.role())));
    }
    WorkerState worker;
    try {
      worker = select(view, candidates, snapshot);
    } catch (NoEligibleWorkerException e) {
      throw reject(view, start, e);
    }
    Duration timeout = request.timeout() != null ? request.timeout() : defaultTimeout;
    RouterCallContext context =
        new RouterCallContext(requestId, start, timeout, headers(worker.worker(), request));
    InFlightGuard guard = worker.acquire(view.estimatedPromptTokens());
    CallTracker tracker =
        new CallTracker(
            view, worker, guard, context, start, strategy, listeners, active::remove);
    active.add(tracker);
    listeners.workerSelected(view, worker, strategyName);
    context.onCancel(tracker::onContextCancelled);
    if (closed.get()) {
      // close() may have swept the active set before this request joined it.
      context.cancel(RouterCallContext.Reason.CLOSED);
      throw new RouterClosedException();
    }
    try {
      tracker.setTimer(
          scheduler.schedule(
              () -> context.cancel(RouterCallContext.Reason.TIMEOUT),
              context.remainingNanos(),
              TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      context.cancel(RouterCallContext.Reason.CLOSED);
      throw new RouterClosedException();
    }
    return tracker;
  }

  private RouterException reject(RequestViewImpl view, long start, RouterException error) {
    listeners.requestFinished(
        view, null, RequestOutcome.REJECTED, Duration.ofNanos(System.nanoTime() - start), null,
        error);
    return error;
  }

  private WorkerState select(
      RequestViewImpl view, List<WorkerView> candidates, WorkerSnapshot snapshot) {
    Choice choice;
    try {
      choice = strategy.select(view, candidates);
    } catch (RuntimeException e) {
      warnStrategy("threw " + e, e);
      return leastInFlight(candidates);
    }
    if (choice == null) {
      warnStrategy("returned null", null);
      return leastInFlight(candidates);
    }
    WorkerView chosen = choice.worker();
    if (chosen == null) {
      throw new NoEligibleWorkerException(
          view.model(), view.role(), "strategy " + strategyName + " declined: " + choice.reason());
    }
    WorkerState state = snapshot.get(chosen.id());
    if (state == null
        || state != chosen
        || !state.health().acceptsRequests()
        || state.worker().role() != view.role()
        || !state.worker().serves(view.model())) {
      warnStrategy("chose worker '" + chosen.id() + "', which is not a candidate", null);
      return leastInFlight(candidates);
    }
    return state;
  }

  private void warnStrategy(String what, @Nullable Throwable error) {
    if (warnedStrategies.add(what.length() > 60 ? what.substring(0, 60) : what)) {
      log.warn("strategy {} {}; routing to the least-loaded candidate instead (logged once)",
          strategyName, what, error);
    }
  }

  private static WorkerState leastInFlight(List<WorkerView> candidates) {
    int n = candidates.size();
    int start = ThreadLocalRandom.current().nextInt(n);
    WorkerView best = candidates.get(start);
    for (int i = 1; i < n; i++) {
      WorkerView w = candidates.get((start + i) % n);
      if (w.inFlightRequests() < best.inFlightRequests()) {
        best = w;
      }
    }
    return (WorkerState) best;
  }

  private static Map<String, String> headers(Worker worker, InferenceRequest request) {
    if (request.headers().isEmpty()) {
      return worker.headers();
    }
    if (worker.headers().isEmpty()) {
      return request.headers();
    }
    Map<String, String> merged = new LinkedHashMap<>(worker.headers());
    merged.putAll(request.headers());
    return java.util.Collections.unmodifiableMap(merged);
  }

  private static <R> R await(CompletableFuture<R> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RouterException re) {
        throw re;
      }
      throw new RouterException("request failed", cause);
    } catch (CancellationException e) {
      throw new RequestCancelledException("cancelled");
    }
  }

  // ---- administration ----

  @Override
  public WorkerRegistry workers() {
    return registry;
  }

  @Override
  public CompletableFuture<HealthState> checkHealth(String workerId) {
    WorkerState worker = registry.snapshot().get(java.util.Objects.requireNonNull(workerId));
    if (worker == null) {
      throw new IllegalArgumentException("no worker has id '" + workerId + "'");
    }
    RouterCallContext context =
        new RouterCallContext(
            "health-" + RequestIds.next(), System.nanoTime(), Duration.ofSeconds(30), Map.of());
    CompletableFuture<Void> probe;
    try {
      probe = worker.transport().checkHealth(worker.worker(), context);
    } catch (RuntimeException e) {
      probe = CompletableFuture.failedFuture(e);
    }
    return probe.handle(
        (ok, error) -> {
          HealthState current = worker.health();
          if (current == HealthState.DRAINING) {
            return current;
          }
          HealthState next = error == null ? HealthState.HEALTHY : HealthState.UNHEALTHY;
          if (next != current) {
            registry.setHealth(workerId, next);
          }
          return next;
        });
  }

  @Override
  public String strategyName() {
    return strategyName;
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (AutoCloseable d : discoveries) {
      try {
        d.close();
      } catch (Exception e) {
        log.warn("stopping a worker discovery failed", e);
      }
    }
    LoadPoller poller = loadPoller;
    if (poller != null) {
      poller.close();
    }
    for (CallTracker t : active) {
      t.context().cancel(RouterCallContext.Reason.CLOSED);
    }
    listeners.routerClosed(registry.list());
    scheduler.shutdownNow();
    if (ownsExecutor) {
      executor.shutdown();
    }
    transports.close();
    log.info("router closed");
  }

  /** The future handed to callers: cancelling it cancels the call on the worker. */
  private static final class ResultFuture<R> extends CompletableFuture<R> {
    private final RouterCallContext context;

    ResultFuture(RouterCallContext context) {
      this.context = context;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        context.cancel(RouterCallContext.Reason.CALLER);
      }
      return cancelled;
    }
  }
}
