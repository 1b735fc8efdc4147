package io.flexroute.core.internal;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.AdmissionPolicy;
import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.HealthState;
import io.flexroute.RetryPolicy;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import io.flexroute.InferenceRequest;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestOutcome;
import io.flexroute.RequestRejectedException;
import io.flexroute.core.strategy.PerModelStrategy;
import io.flexroute.core.strategy.internal.CountedCandidates;
import io.flexroute.core.strategy.internal.Exclusions;
import io.flexroute.core.strategy.internal.LeastInFlight;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterConfig;
import io.flexroute.RouterException;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import io.flexroute.WorkerRegistry;
import io.flexroute.fleet.Fleet;
import io.flexroute.spi.BreakerState;
import io.flexroute.spi.ControlState;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
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

  /** The period of the timer thread's no-op, which spares it a wake-up per deadline timer. */
  private static final long TIMER_PACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** {@code waitEnd} of a request that has not waited in the queue yet. */
  private static final long NOT_WAITED = Long.MIN_VALUE;

  private final RoutingStrategy strategy;
  private final String strategyName;
  private final TransportSet transports;
  private final ListenerSet listeners;
  private final WorkerRegistryImpl registry;
  private final Duration defaultTimeout;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Set<RequestCall> active = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> discoveries = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<String> warnedStrategies = ConcurrentHashMap.newKeySet();
  private final RetryPolicy retry;
  private final RetryBudget retryBudget;
  private final CircuitBreakerPolicy breakerPolicy;
  private final @Nullable HealthCheckPolicy healthPolicy;
  private final AdmissionPolicy admission;
  private final AdmissionQueue queue;
  private final AtomicInteger globalInFlight = new AtomicInteger();
  private @Nullable LoadPoller loadPoller;
  private @Nullable HealthChecker healthChecker;
  private final WeightVersionTracker versions;
  private final DefaultFleet fleet;

  DefaultRouter(RouterConfig config) {
    this.strategy = StrategyResolver.resolve(config);
    this.strategyName = strategy.name();
    this.transports = TransportSet.from(config);
    this.listeners = new ListenerSet(config.listeners());
    this.defaultTimeout = config.defaultTimeout();
    this.retry = config.retry();
    this.retryBudget = new RetryBudget(retry.budgetRatio(), retry.budgetMinPerSecond());
    this.breakerPolicy = config.circuitBreaker();
    this.healthPolicy = config.healthChecks();
    this.admission = config.admission();
    ExecutorService given = config.executor();
    this.ownsExecutor = given == null;
    this.executor = given != null ? given : Executors.newCachedThreadPool(threads("flexroute-exec"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads("flexroute-timer"));
    // Cancelled deadline timers must not pile up in the queue under heavy traffic.
    scheduler.setRemoveOnCancelPolicy(true);
    // A timer that becomes the head of the queue wakes the timer thread to shorten its wait. With
    // few requests in flight, every request's deadline timer would (one context switch each); a
    // periodic no-op keeps an earlier entry at the head, so that only deadlines nearer than its
    // period wake the thread, and costs one wake-up per period.
    scheduler.scheduleAtFixedRate(
        () -> {}, TIMER_PACE_NANOS, TIMER_PACE_NANOS, TimeUnit.NANOSECONDS);
    this.queue = new AdmissionQueue(admission.maxQueuedRequests(), executor);
    this.registry =
        new WorkerRegistryImpl(
            this::newWorkerState,
            listeners,
            queue::wakeAll,
            this::workerLeft,
            config.weightVersionOrder());
    this.versions = new WeightVersionTracker(config.weightVersionOrder(), registry::republish);
    this.fleet = new DefaultFleet(registry, versions, scheduler, executor);
    try {
      for (Worker w : config.workers()) {
        registry.add(w);
      }
      for (WorkerDiscovery d : config.discoveries()) {
        discoveries.add(d.start(registry));
      }
      Duration pollInterval = config.loadPollInterval();
      if (pollInterval != null) {
        loadPoller = new LoadPoller(registry::snapshot, pollInterval, scheduler, executor);
      }
      if (healthPolicy != null) {
        healthChecker =
            new HealthChecker(registry, healthPolicy, scheduler, executor, fleet::recovered);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    log.info("router started: strategy={}, workers={}", strategyName, config.workers().size());
  }

  private WorkerState newWorkerState(Worker worker) {
    WorkerState state = new WorkerState(worker, transports.forWorker(worker));
    state.setBreaker(
        new CircuitBreaker(
            breakerPolicy,
            (previous, current, openNanos) ->
                breakerChanged(state, previous, current, openNanos)));
    return state;
  }

  private void breakerChanged(
      WorkerState worker, BreakerState previous, BreakerState current, long openNanos) {
    if (current == BreakerState.OPEN) {
      log.warn("circuit breaker of worker {} opened for {} ms", worker.id(), openNanos / 1_000_000);
    } else {
      log.info("circuit breaker of worker {}: {} -> {}", worker.id(), previous, current);
    }
    registry.republish();
    // The end of the open period is scheduled before listeners hear of it: whatever a listener
    // does, the breaker must not stay open for good.
    if (current == BreakerState.OPEN) {
      CircuitBreaker breaker = worker.breaker();
      if (breaker != null) {
        schedule(breaker::openPeriodEnded, openNanos);
      }
    }
    listeners.breakerStateChanged(worker, previous, current);
  }

  private void schedule(Runnable task, long delayNanos) {
    try {
      scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The router is closing; nothing is waiting for this task any more.
    }
  }

  private void runOnExecutor(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
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
    return executeBlocking(OperationBinding.GENERATE, checkGenerate(request));
  }

  @Override
  public CompletableFuture<GenerateResult> generateAsync(GenerateRequest request) {
    GenerateRequest checked;
    try {
      checked = checkGenerate(request);
    } catch (RequestRejectedException e) {
      // As every asynchronous call reports a refusal: through the future, not by throwing.
      return CompletableFuture.failedFuture(e);
    }
    return execute(OperationBinding.GENERATE, checked);
  }

  @Override
  public ChatCompletion chat(ChatRequest request) {
    return executeBlocking(OperationBinding.CHAT, request);
  }

  @Override
  public CompletableFuture<ChatCompletion> chatAsync(ChatRequest request) {
    return execute(OperationBinding.CHAT, request);
  }

  @Override
  public TextCompletion complete(CompletionRequest request) {
    return executeBlocking(OperationBinding.COMPLETION, request);
  }

  @Override
  public CompletableFuture<TextCompletion> completeAsync(CompletionRequest request) {
    return execute(OperationBinding.COMPLETION, request);
  }

  // ---- streams ----

  @Override
  public ResponseStream<GenerateChunk> generateStream(GenerateRequest request) {
    return openStream(OperationBinding.GENERATE, checkGenerate(request));
  }

  @Override
  public Flow.Publisher<GenerateChunk> generatePublisher(GenerateRequest request) {
    java.util.Objects.requireNonNull(request, "request");
    // Checked when the subscriber first requests, so that a refusal reaches it through onError.
    return new StreamPublisher<>(
        () -> openStream(OperationBinding.GENERATE, checkGenerate(request)), executor);
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

  /**
   * Creates the request's lifecycle: id, view, deadline timer (when armed); refuses it when closed.
   * A call without the timer must watch its deadline itself, as {@link CallerThreadCalls} does.
   */
  private RequestCall newCall(InferenceRequest request, boolean streaming, boolean armTimer) {
    long start = System.nanoTime();
    String requestId = request.requestId() != null ? request.requestId() : RequestIds.next();
    RequestViewImpl view = new RequestViewImpl(request, requestId, streaming);
    listeners.requestStarted(view);
    if (closed.get()) {
      RouterClosedException error = new RouterClosedException();
      listeners.requestFinished(
          view, null, RequestOutcome.REJECTED, Duration.ofNanos(System.nanoTime() - start), null,
          error);
      throw error;
    }
    Duration timeout = request.timeout() != null ? request.timeout() : defaultTimeout;
    RequestCall call = new RequestCall(view, start, timeout, listeners, this::callEnded);
    active.add(call);
    retryBudget.recordRequest(start);
    if (closed.get()) {
      // close() may have swept the active set before this request joined it.
      call.cancel(RouterCallContext.Reason.CLOSED);
      throw new RouterClosedException();
    }
    if (!armTimer) {
      return call;
    }
    try {
      call.setTimer(
          scheduler.schedule(
              () -> call.cancel(RouterCallContext.Reason.TIMEOUT),
              call.remainingNanos(),
              TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      call.cancel(RouterCallContext.Reason.CLOSED);
      throw new RouterClosedException();
    }
    return call;
  }

  private void callEnded(RequestCall call) {
    active.remove(call);
    releaseGlobalPermit(call);
  }

  /** Gives the call's router-wide permit back, if it holds one; safe to race, runs once. */
  private void releaseGlobalPermit(RequestCall call) {
    if (call.giveBackGlobalPermit()) {
      globalInFlight.decrementAndGet();
      // Always, even with the queue empty: a waiter between a failed try and rejoining the queue
      // learns of the freed permit only from the version this bumps.
      queue.wakeOne();
    }
  }

  /** Runs a unary request on the caller's thread, its I/O included. */
  private <Q extends InferenceRequest, R, C> R executeBlocking(
      OperationBinding<Q, R, C> op, Q request) {
    java.util.Objects.requireNonNull(request, "request");
    RequestCall call = newCall(request, false, false);
    return CallerThreadCalls.run(this, op, request, call);
  }

  private <Q extends InferenceRequest, R, C> CompletableFuture<R> execute(
      OperationBinding<Q, R, C> op, Q request) {
    java.util.Objects.requireNonNull(request, "request");
    RequestCall call;
    try {
      call = newCall(request, false, true);
    } catch (RouterException e) {
      return CompletableFuture.failedFuture(e);
    }
    ResultFuture<R> result = new ResultFuture<>(call);
    call.setFailureSink(e -> deliver(result, null, e));
    startUnary(op, request, call, result);
    return result;
  }

  private <Q extends InferenceRequest, R, C> void startUnary(
      OperationBinding<Q, R, C> op,
      Q request,
      RequestCall call,
      ResultFuture<R> result) {
    acquire(call)
        .whenComplete(
            (attempt, error) -> {
              if (error != null) {
                RouterException e = RequestCall.mapFailure(error, "router", "none");
                call.fail(RequestCall.outcomeOf(e), e);
              } else {
                runUnary(op, request, call, attempt, result);
              }
            });
  }

  private <Q extends InferenceRequest, R, C> void runUnary(
      OperationBinding<Q, R, C> op,
      Q request,
      RequestCall call,
      Attempt attempt,
      ResultFuture<R> result) {
    WorkerState worker = attempt.worker();
    CompletableFuture<R> future;
    try {
      future = op.call(worker.transport(), worker.worker(), request, attempt.context());
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    if (future == null) {
      future = CompletableFuture.failedFuture(noResult(worker));
    }
    future.whenComplete(
        (value, failure) -> {
          Throwable error = failure != null || value != null ? failure : noResult(worker);
          if (error == null) {
            error = answeredWeightVersion(attempt, op.weightVersion(value));
          }
          if (error == null) {
            TokenUsage usage = op.usage(value);
            attempt.finish(RequestOutcome.SUCCESS, usage, null);
            if (call.finish(RequestOutcome.SUCCESS, usage, null)) {
              deliver(result, value, null);
            }
            return;
          }
          if (!call.isFinished() && call.remainingNanos() <= 0) {
            // The transport's own timeout (set to the same deadline) fired before the router's
            // timer: time the request out here, before the attempt ends, so the worker is told
            // to abort as it would be by the timer.
            call.cancel(RouterCallContext.Reason.TIMEOUT);
          }
          RouterException mapped = CallerThreadCalls.failureOf(call, attempt, error);
          attempt.finish(RequestCall.outcomeOf(mapped), null, mapped);
          if (call.isFinished()) {
            return;
          }
          long backoff = retryBackoff(call, attempt, mapped);
          if (backoff >= 0) {
            schedule(
                () -> runOnExecutor(() -> startUnary(op, request, call, result)),
                backoff);
          } else {
            call.fail(RequestCall.outcomeOf(mapped), mapped);
          }
        });
  }

  /** The failure of a transport that broke its contract by answering with null. */
  static IllegalStateException noResult(WorkerState worker) {
    return new IllegalStateException(
        "transport '" + worker.transport().name() + "' returned no result (null) for worker '"
            + worker.id() + "'");
  }

  /**
   * Decides whether a failed attempt is tried again.
   *
   * @return the backoff in nanoseconds before the next attempt, or -1 for no retry
   */
  long retryBackoff(RequestCall call, Attempt attempt, RouterException error) {
    if (!(error instanceof WorkerException we) || !we.isRetryable()) {
      return -1;
    }
    call.recordWorkerFailure(attempt.worker().id(), error);
    if (call.attempts() >= retry.maxAttempts() || closed.get() || call.isFinished()) {
      // (A request a deadline or cancel ended meanwhile gets no retry, and no event after its end.)
      return -1;
    }
    RequestViewImpl view = call.view();
    if (registry.snapshot().allServing(view.model(), view.role(), call.failedWorkers())) {
      // Every worker that serves the request has failed it, and a retry never goes back to one:
      // fail now, without a backoff, a retry taken from the budget or a retryScheduled event.
      return -1;
    }
    long base = retry.backoff(call.attempts()).toNanos();
    double jitter = retry.jitter();
    long backoff =
        jitter == 0
            ? base
            : (long) (base * (1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble()));
    if (backoff >= call.remainingNanos()) {
      return -1;
    }
    if (!retryBudget.tryRetry()) {
      log.debug("retry budget exhausted; request {} fails", call.view().requestId());
      return -1;
    }
    listeners.retryScheduled(
        call.view(), attempt.worker(), error, call.attempts() + 1, Duration.ofNanos(backoff));
    return backoff;
  }

  /** Completes the caller's future on the executor, never on a transport's I/O thread. */
  private <R> void deliver(
      CompletableFuture<R> result, @Nullable R value, @Nullable Throwable error) {
    runOnExecutor(
        () -> {
          if (error == null) {
            result.complete(value);
          } else {
            result.completeExceptionally(error);
          }
        });
  }

  private <Q extends InferenceRequest, R, C> ResponseStream<C> openStream(
      OperationBinding<Q, R, C> op, Q request) {
    java.util.Objects.requireNonNull(request, "request");
    RequestCall call = newCall(request, true, true);
    RouterResponseStream<Q, C> stream = new RouterResponseStream<>(this, op, request, call);
    stream.open();
    return stream;
  }

  /**
   * Starts an attempt: a worker chosen, its slot and breaker permit taken. Completes at once when a
   * worker is available; otherwise waits in the admission queue, if the policy allows, until a
   * worker recovers or a slot frees up.
   */
  CompletableFuture<Attempt> acquire(RequestCall call) {
    CompletableFuture<Attempt> future = new CompletableFuture<>();
    acquireOrWait(call, future, AdmissionQueue.NO_CHAIN, AdmissionQueue.NEW_PLACE, NOT_WAITED);
    return future;
  }

  /**
   * Tries to start an attempt, or waits in the admission queue.
   *
   * @param chain the single-capacity wake-up this try runs for ({@link AdmissionQueue#NO_CHAIN}
   *     if none): unless the try starts an attempt, the wake passes on to the next waiter
   * @param place the request's place in the queue if it waited before ({@link
   *     AdmissionQueue#NEW_PLACE} if not): if it must wait again, it waits there
   * @param waitEnd when its wait in the queue must end ({@link System#nanoTime()} based), fixed
   *     when it first waits, so that wake-ups that find nothing for it do not restart the wait;
   *     {@link #NOT_WAITED} before that
   */
  private void acquireOrWait(
      RequestCall call, CompletableFuture<Attempt> future, long chain, long place, long waitEnd) {
    if (!call.isFinished() && call.remainingNanos() <= 0) {
      // Woken (or retried) after the deadline passed but before its timer ran: the request timed
      // out, whatever the workers look like now.
      call.cancel(RouterCallContext.Reason.TIMEOUT);
    }
    if (call.isFinished()) {
      RouterException ended = call.failure();
      future.completeExceptionally(ended != null ? ended : new RouterClosedException());
      queue.passOn(chain);
      return;
    }
    long version = queue.version();
    int globalLimit = admission.maxConcurrentRequests();
    boolean fair = admission.fairPermits();
    // With fair permits, a new request does not take a permit while older requests wait for one
    // (in the line, or on their way to a retry with the permit they were woken for): it queues
    // behind them.
    boolean mayTakePermit =
        place != AdmissionQueue.NEW_PLACE
            || globalLimit == 0
            || !fair
            || call.holdsGlobalPermit()
            || queue.permitLineEmpty();
    Attempt attempt;
    RouterException[] why = new RouterException[1];
    try {
      attempt = tryStart(call, why, mayTakePermit);
      if (call.holdsGlobalPermit()) {
        // Holding a permit (whatever else it still waits for), it is out of the permit line.
        leavePermitLine(place);
      }
    } catch (RuntimeException | Error e) {
      // A RouterException ends the request; anything else (a bug, or plug-in code that threw past
      // its guard, an Error included) ends it too, as a typed failure, instead of escaping with
      // the wake-up unpassed and the request's permit and slot held for good.
      future.completeExceptionally(
          e instanceof RouterException re ? re : RequestCall.mapFailure(e, "router", "none"));
      queue.passOn(chain);
      return;
    }
    if (attempt != null) {
      future.complete(attempt);
      return;
    }
    // From here on this request did not take the capacity a single wake-up was for: every way out
    // passes that wake-up on (at the end, once this request is back in the queue, if it waits).
    RouterException reason = why[0];
    if (queue.capacity() == 0) {
      future.completeExceptionally(reason);
      queue.passOn(chain);
      return;
    }
    long now = System.nanoTime();
    long maxWait = admission.maxQueueWait().toNanos();
    long end = waitEnd != NOT_WAITED ? waitEnd : now + Math.min(maxWait, Long.MAX_VALUE / 4);
    long untilEnd = end - now;
    long remaining = call.remainingNanos();
    long wait = Math.min(remaining, untilEnd);
    if (remaining <= 0) {
      // The deadline passed during this try: it is a timeout, not a reason to reject.
      call.cancel(RouterCallContext.Reason.TIMEOUT);
      RouterException ended = call.failure();
      future.completeExceptionally(ended != null ? ended : reason);
      queue.passOn(chain);
      return;
    }
    if (untilEnd <= 0) {
      // Woken after its wait ran out but before its timer did, and still nothing for it.
      future.completeExceptionally(waitTimedOut(maxWait, reason));
      queue.passOn(chain);
      return;
    }
    long waitNumber = call.nextWait();
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    AdmissionQueue.Waiter[] self = new AdmissionQueue.Waiter[1];
    AdmissionQueue.Waiter waiter =
        new AdmissionQueue.Waiter(
            wakeChain -> {
              ScheduledFuture<?> t = timer[0];
              if (t != null) {
                t.cancel(false);
              }
              acquireOrWait(call, future, wakeChain, self[0].place(), end);
            },
            place);
    self[0] = waiter;
    boolean forPermit = fair && globalLimit > 0 && !call.holdsGlobalPermit();
    if (!queue.add(waiter, forPermit)) {
      queue.passOn(chain);
      future.completeExceptionally(
          new RequestRejectedException(
              RequestRejectedException.Reason.QUEUE_FULL,
              "the waiting queue is full (" + queue.capacity() + " requests) and "
                  + reason.getMessage()));
      return;
    }
    long myPlace = waiter.place();
    if (forPermit && place == AdmissionQueue.NEW_PLACE) {
      // However the request ends (a permit and an attempt, a failure, a timeout, a cancel), it
      // leaves the line; if it ended already, this runs at once.
      future.whenComplete((a, e) -> leavePermitLine(myPlace));
    }
    // When the deadline bounds the wait, the wait's end is the deadline's: a timeout, whichever
    // of the two timers runs first.
    boolean deadlineBound = remaining < untilEnd;
    try {
      timer[0] =
          scheduler.schedule(
              () -> {
                if (waiter.claim()) {
                  queue.remove(waiter);
                  if (deadlineBound) {
                    call.cancel(RouterCallContext.Reason.TIMEOUT);
                    RouterException ended = call.failure();
                    future.completeExceptionally(ended != null ? ended : reason);
                    return;
                  }
                  future.completeExceptionally(waitTimedOut(maxWait, reason));
                }
              },
              wait,
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (waiter.claim()) {
        queue.remove(waiter);
        future.completeExceptionally(new RouterClosedException());
      }
      queue.passOn(chain);
      return;
    }
    Runnable stopWaiting =
        () -> {
          if (waiter.claim()) {
            queue.remove(waiter);
            timer[0].cancel(false);
            // Whoever waits for the attempt (a stream's opening thread) must learn of the end now,
            // not when its deadline passes.
            RouterException ended = call.failure();
            future.completeExceptionally(ended != null ? ended : new RouterClosedException());
          }
        };
    call.setStopWaiting(waitNumber, stopWaiting);
    if (call.isFinished()) {
      // The request ended (deadline, cancel, close) before it could be told how to stop waiting.
      stopWaiting.run();
      queue.passOn(chain);
      return;
    }
    boolean permitForThisOne =
        forPermit && queue.firstInPermitLine(myPlace) && globalInFlight.get() < globalLimit;
    if ((queue.version() != version || permitForThisOne) && waiter.claim()) {
      // Something changed between the try and joining the queue, or this request heads the permit
      // line while a permit is free (a request that left the line just before this one joined saw
      // no one to wake): try again now, still on behalf of the wake-up this try ran for.
      queue.remove(waiter);
      timer[0].cancel(false);
      runOnExecutor(() -> acquireOrWait(call, future, chain, waiter.place(), end));
      return;
    }
    queue.passOn(chain);
  }

  private static RequestRejectedException waitTimedOut(long maxWaitNanos, RouterException reason) {
    return new RequestRejectedException(
        RequestRejectedException.Reason.WAIT_TIMEOUT,
        "waited " + Duration.ofNanos(maxWaitNanos).toMillis() + " ms and still "
            + reason.getMessage());
  }

  /**
   * One try at starting an attempt.
   *
   * @param why receives the reason when the request must wait
   * @return the attempt, or null when the request must wait (or fail with {@code why[0]})
   * @throws RouterException when the request must fail now
   */
  private @Nullable Attempt tryStart(
      RequestCall call, RouterException[] why, boolean mayTakePermit) {
    RequestViewImpl view = call.view();
    int globalLimit = admission.maxConcurrentRequests();
    if (globalLimit > 0 && !call.holdsGlobalPermit()) {
      if (!mayTakePermit || !tryAcquireGlobal(globalLimit)) {
        why[0] =
            new RequestRejectedException(
                RequestRejectedException.Reason.LIMIT_REACHED,
                mayTakePermit
                    ? "the router already runs its limit of " + globalLimit + " requests"
                    : "earlier requests wait for one of the router's " + globalLimit
                        + " permits (maxConcurrentRequests)");
        return null;
      }
      call.holdGlobalPermit();
      if (call.isFinished()) {
        // The request ended (deadline, cancel, close) while the permit was being taken, perhaps
        // after its end already gave back what it held: give this one back too.
        releaseGlobalPermit(call);
        RouterException ended = call.failure();
        throw ended != null ? ended : new RouterClosedException();
      }
    }
    WorkerSnapshot snapshot = registry.snapshot();
    String minVersion = view.minWeightVersion();
    List<WorkerView> eligible = snapshot.eligible(view.model(), view.role(), minVersion);
    List<WorkerView> candidates = eligible;
    RequestViewImpl selecting = view;
    Set<String> failed = call.failedWorkers();
    if (!failed.isEmpty() && !eligible.isEmpty()) {
      candidates = without(eligible, failed);
      if (candidates.size() < eligible.size()) {
        selecting = view.excluding(only(eligible, failed));
      }
      if (candidates.isEmpty()) {
        // Every available worker already failed this request: its last failure is the answer.
        RouterException last = call.lastWorkerError();
        throw last != null
            ? last
            : new NoEligibleWorkerException(
                view.model(), view.role(), NoEligibleWorkerException.Reason.ALL_FAILED,
                "all workers failed");
      }
    }
    if (candidates.isEmpty()) {
      RouterException last = call.lastWorkerError();
      if (last != null
          && (queue.capacity() == 0 || snapshot.allServing(view.model(), view.role(), failed))) {
        // No waiting, or nothing to wait for: every worker that serves it already failed it and
        // stays excluded even once it is available again.
        throw last;
      }
      why[0] = snapshot.explainNoCandidates(view.model(), view.role(), minVersion);
      return null;
    }
    int perWorkerLimit = admission.maxConcurrentPerWorker();
    List<WorkerView> remaining = candidates;
    while (!remaining.isEmpty()) {
      WorkerState chosen = select(selecting, remaining, snapshot);
      CircuitBreaker breaker = chosen.breaker();
      long permit = breaker == null ? CircuitBreaker.CLOSED_PERMIT : breaker.tryAcquire();
      if (permit == CircuitBreaker.REFUSED) {
        remaining = without(remaining, Set.of(chosen.id()));
        selecting = selecting.excluding(List.of(chosen));
        continue;
      }
      int tokens = view.estimatedPromptTokens();
      InFlightGuard guard =
          perWorkerLimit > 0 ? chosen.tryAcquire(tokens, perWorkerLimit) : chosen.acquire(tokens);
      if (guard == null) {
        if (breaker != null) {
          breaker.onResult(permit, false, true);
        }
        remaining = without(remaining, Set.of(chosen.id()));
        selecting = selecting.excluding(List.of(chosen));
        continue;
      }
      if (chosen.controlState() != ControlState.SERVING) {
        // The fleet took the worker out of rotation after this request read the snapshot. The
        // fleet marks a worker before it sends the update or pause, and this check follows the
        // slot, so a request either is counted on the worker (a drain sees it) or never sent.
        guard.abandon();
        if (breaker != null) {
          breaker.onResult(permit, false, true);
        }
        remaining = without(remaining, Set.of(chosen.id()));
        selecting = selecting.excluding(List.of(chosen));
        continue;
      }
      return newAttempt(call, selecting, chosen, guard, permit);
    }
    why[0] =
        new RequestRejectedException(
            RequestRejectedException.Reason.LIMIT_REACHED,
            "every eligible worker is at its concurrency limit or only admits recovery probes");
    return null;
  }

  /**
   * Takes a request out of the permit line. If others still wait in it while a permit is free, the
   * line's head may have deferred to this request and missed the wake-up: wake the oldest waiter.
   */
  private void leavePermitLine(long place) {
    if (queue.leavePermitLine(place)
        && !queue.permitLineEmpty()
        && globalInFlight.get() < admission.maxConcurrentRequests()) {
      queue.wakeOne();
    }
  }

  private boolean tryAcquireGlobal(int limit) {
    while (true) {
      int current = globalInFlight.get();
      if (current >= limit) {
        return false;
      }
      if (globalInFlight.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  private static List<WorkerView> without(List<WorkerView> list, Set<String> ids) {
    if (list instanceof CountedCandidates counted) {
      // Keeps least_inflight's packed scan on retries.
      return counted.without(ids);
    }
    List<WorkerView> out = new ArrayList<>(list.size());
    for (WorkerView w : list) {
      if (!ids.contains(w.id())) {
        out.add(w);
      }
    }
    return out;
  }

  /** The workers of {@code list} whose ids are in {@code ids}. */
  private static List<WorkerView> only(List<WorkerView> list, Set<String> ids) {
    List<WorkerView> out = new ArrayList<>(ids.size());
    for (WorkerView w : list) {
      if (ids.contains(w.id())) {
        out.add(w);
      }
    }
    return out;
  }

  private Attempt newAttempt(
      RequestCall call,
      RequestViewImpl selected,
      WorkerState worker,
      InFlightGuard guard,
      long breakerPermit) {
    RequestViewImpl view = call.view();
    RouterCallContext context =
        new RouterCallContext(
            view.requestId(), call.startNanos(), call.timeout(), headers(worker.worker(), view.request()));
    Attempt attempt =
        new Attempt(
            call, selected, worker, guard, breakerPermit, context, strategy, this::attemptEnded,
            call.attempts() + 1);
    context.onCancel(
        () -> {
          if (!attempt.isFinished()) {
            abortOnWorker(worker, view.requestId());
          }
        });
    try {
      // A request the deadline or a cancel ended meanwhile has had its requestFinished: a later
      // event would reach listeners after the end. (A narrow race remains: the end may still come
      // between this check and the event; listeners must tolerate that.)
      if (!call.isFinished()) {
        listeners.workerSelected(view, worker, strategyNameFor(view));
      }
    } finally {
      // Even if a listener threw past its guard: the request's end must find the attempt, or the
      // worker's slot and the breaker's permit would never be given back.
      call.setCurrent(attempt);
    }
    return attempt;
  }

  /**
   * Asks the worker to stop a request it may still be running; best effort. Sent from the
   * executor: deadlines cancel requests on the timer thread, which must not wait on the
   * transport's locks.
   */
  private void abortOnWorker(WorkerState worker, String requestId) {
    if (abortsStopped) {
      return;
    }
    if (closed.get()) {
      // close() is cancelling its requests: start the abort on its thread, before the transports
      // close (on the executor it could come too late).
      sendAbort(worker, requestId);
      return;
    }
    runOnExecutor(() -> sendAbort(worker, requestId));
  }

  private void sendAbort(WorkerState worker, String requestId) {
    RouterCallContext context =
        new RouterCallContext(requestId, System.nanoTime(), ABORT_TIMEOUT, worker.worker().headers());
    try {
      worker
          .transport()
          .abort(worker.worker(), requestId, context)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  log.debug("abort of request {} on {} failed", requestId, worker.id(), error);
                }
              });
    } catch (RuntimeException e) {
      log.debug("abort of request {} on {} failed", requestId, worker.id(), e);
    }
  }

  // Set by close() just before the transports close: no abort can be sent after that.
  private volatile boolean abortsStopped;

  private static final Duration ABORT_TIMEOUT = Duration.ofSeconds(5);

  /** After every attempt: feeds the breaker, parks rate-limited workers, passive health, waiters. */
  private void attemptEnded(Attempt attempt, RequestOutcome outcome, @Nullable Throwable error) {
    WorkerState worker = attempt.worker();
    WorkerException workerError = error instanceof WorkerException we ? we : null;
    // A deadline that passed while a stream's caller held its last chunk, not while the worker
    // owed one, says nothing about the worker: neutral, like a cancel.
    boolean callerSlow = outcome == RequestOutcome.TIMEOUT && !attempt.waitingForWorker();
    boolean timeout = outcome == RequestOutcome.TIMEOUT && !callerSlow;
    boolean fault = timeout || (workerError != null && workerError.isWorkerFault());
    boolean neutral = outcome == RequestOutcome.CANCELLED || callerSlow;
    CircuitBreaker breaker = worker.breaker();
    boolean probeFreed = false;
    if (breaker != null) {
      probeFreed = breaker.state() == BreakerState.HALF_OPEN;
      breaker.onResult(attempt.breakerPermit(), fault, neutral);
    }
    if (workerError != null
        && (workerError.kind() == WorkerException.Kind.HTTP_STATUS
            || workerError.kind() == WorkerException.Kind.STREAM_ERROR)) {
      int status = workerError.statusCode();
      Duration retryAfter = workerError.retryAfter();
      // A 429 always parks the worker, as an answer's status or reported inside a stream (where a
      // rate limit that strikes after the first chunk fails the stream but must still keep the
      // next requests away); a 503 only when the worker said how long to stay away.
      if (status == 429 || (status == 503 && retryAfter != null)) {
        park(worker, status, retryAfter);
      }
    }
    HealthCheckPolicy health = healthPolicy;
    if (health != null && health.passiveFailureThreshold() > 0) {
      boolean connectionFault =
          timeout || (workerError != null && workerError.kind() == WorkerException.Kind.CONNECTION);
      if (connectionFault) {
        if (worker.passiveFailures().incrementAndGet() >= health.passiveFailureThreshold()
            && worker.health() == HealthState.HEALTHY) {
          worker.passiveFailures().set(0);
          log.warn("worker {} failed {} requests in a row at the connection level; marking it"
              + " unhealthy until probes pass", worker.id(), health.passiveFailureThreshold());
          registry.transitionHealth(worker, HealthState.HEALTHY, HealthState.UNHEALTHY);
        }
      } else if (outcome == RequestOutcome.SUCCESS && worker.passiveFailures().get() != 0) {
        worker.passiveFailures().set(0);
      }
    }
    // The attempt's end frees its slot on the worker (and a probe, if the breaker was half-open):
    // capacity for one waiter, signalled even with the queue empty (see releaseGlobalPermit). A
    // waiter that waits for anything else (an eligible worker, a breaker closing, a parking ending)
    // is woken by the registry change that brings it.
    if (probeFreed || admission.maxConcurrentPerWorker() > 0) {
      queue.wakeOne();
    }
  }

  private void park(WorkerState worker, int status, @Nullable Duration retryAfter) {
    Duration park = retryAfter != null ? retryAfter : breakerPolicy.rateLimitPark();
    if (park.compareTo(MAX_PARK) > 0) {
      park = MAX_PARK;
    }
    long nanos = park.toNanos();
    long until = System.nanoTime() + nanos;
    if (!worker.parkUntil(until)) {
      return; // already parked until later
    }
    log.info("worker {} answered {}; parked for {} ms", worker.id(), status, park.toMillis());
    registry.republish();
    // When the parking ends the worker must become a candidate again by itself.
    schedule(registry::republish, nanos + 1_000_000);
  }

  private static final Duration MAX_PARK = Duration.ofMinutes(5);

  /** The name of the strategy that routes this request: the model's own under per-model routing. */
  private String strategyNameFor(RequestViewImpl view) {
    return strategy instanceof PerModelStrategy perModel
        ? perModel.strategyFor(view.model()).name()
        : strategyName;
  }

  WorkerState select(RequestViewImpl view, List<WorkerView> candidates, WorkerSnapshot snapshot) {
    Choice choice;
    try {
      choice = strategy.select(view, candidates);
    } catch (RuntimeException e) {
      warnStrategy("threw " + e.getClass().getName(), "threw " + e, e, true);
      return leastInFlight(candidates);
    }
    if (choice == null) {
      warnStrategy("returned null", "returned null", null, true);
      return leastInFlight(candidates);
    }
    WorkerView chosen = choice.worker();
    if (chosen == null) {
      throw new NoEligibleWorkerException(
          view.model(), view.role(), NoEligibleWorkerException.Reason.STRATEGY_DECLINED,
          "strategy " + strategyName + " declined: " + choice.reason());
    }
    WorkerState state = snapshot.get(chosen.id());
    if (state == null
        || state != chosen
        || !state.health().acceptsRequests()
        || isParked(state)
        || state.worker().role() != view.role()
        || !state.worker().serves(view.model())
        || !snapshot.meetsVersion(state, view.minWeightVersion())
        || Exclusions.excludes(view, state.id())) {
      // An excluded worker already failed this request or refused it in this selection: taking
      // it again would retry on the failed worker, or ask the refusing one forever.
      warnStrategy("chose a non-candidate",
          "chose worker '" + chosen.id() + "', which is not a candidate", null, true);
      return leastInFlight(candidates);
    }
    return state;
  }

  /** Whether the worker is parked (it answered 429 or 503 with Retry-After) now. */
  private static boolean isParked(WorkerState state) {
    long until = state.parkedUntilNanos();
    return until != Long.MIN_VALUE && until - System.nanoTime() > 0;
  }

  /**
   * Tells the strategy and the worker's transport that a worker left the fleet, so that they drop
   * what they keep for it. Neither may fail the removal: a throw is logged and ignored.
   */
  private void workerLeft(WorkerState gone) {
    Worker worker = gone.worker();
    if (registry.snapshot().get(worker.id()) != null) {
      // Added again under its id before this event was delivered: what strategies and transports
      // keep under the id is the new worker's now.
      return;
    }
    try {
      strategy.onWorkerRemoved(worker);
    } catch (RuntimeException e) {
      warnStrategy("onWorkerRemoved threw " + e.getClass().getName(),
          "threw in onWorkerRemoved: " + e, e, false);
    }
    try {
      gone.transport().onWorkerRemoved(worker);
    } catch (RuntimeException e) {
      log.warn("transport {} threw in onWorkerRemoved for worker {}; ignoring it",
          gone.transport().name(), worker.id(), e);
    }
  }

  /**
   * Logs a strategy's fault once per kind (the key: the exception's class, not its message, which
   * may name a session or an index and differ on every request); later ones at DEBUG.
   */
  private void warnStrategy(
      String kind, String what, @Nullable Throwable error, boolean fellBack) {
    String then = fellBack ? "; routing to the least-loaded candidate instead" : "; ignoring it";
    if (warnedStrategies.add(kind)) {
      log.warn("strategy {} {}{} (logged once)", strategyName, what, then, error);
    } else {
      log.debug("strategy {} {}{}", strategyName, what, then, error);
    }
  }

  private static WorkerState leastInFlight(List<WorkerView> candidates) {
    int start = ThreadLocalRandom.current().nextInt(candidates.size());
    // The least_inflight rule (packed scan on the router's own lists), as the fallback choice.
    return (WorkerState) candidates.get(LeastInFlight.index(candidates, start));
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

  /**
   * Records the weight version a worker reported in an answer to the attempt, and checks it
   * against the request's minimum before anything of the answer reaches the caller.
   *
   * @param reported the version the answer (or stream chunk) reported, or null when it had none
   * @return the attempt's failure when the answer was made with weights older than the request's
   *     minimum weight version, else null
   */
  @Nullable WorkerException answeredWeightVersion(Attempt attempt, @Nullable String reported) {
    if (reported == null || reported.isEmpty()) {
      return null;
    }
    WorkerState worker = attempt.worker();
    versions.answered(worker, reported, attempt.versionMark(), attempt.versionAtDispatch());
    String min = attempt.call().view().minWeightVersion();
    if (min == null || min.equals(reported) || !versions.older(reported, min)) {
      return null;
    }
    return new WorkerException(
        worker.id(),
        WorkerException.Kind.WEIGHT_VERSION,
        0,
        "answered with weight version '" + reported + "', older than the request's minimum '"
            + min + "'",
        null,
        null);
  }

  // ---- administration ----

  @Override
  public WorkerRegistry workers() {
    return registry;
  }

  @Override
  public Fleet fleet() {
    return fleet;
  }

  @Override
  public CompletableFuture<HealthState> checkHealth(String workerId) {
    WorkerState worker =
        registry.snapshot().get(java.util.Objects.requireNonNull(workerId, "workerId"));
    if (worker == null) {
      throw new IllegalArgumentException("no worker has id '" + workerId + "'");
    }
    // The same bound as the periodic probes, so that both judge a worker alike.
    Duration probeTimeout =
        healthPolicy != null ? healthPolicy.timeout() : HealthCheckPolicy.DEFAULT_TIMEOUT;
    RouterCallContext context =
        new RouterCallContext(
            "health-" + RequestIds.next(), System.nanoTime(), probeTimeout, Map.of());
    String path = healthPolicy != null ? healthPolicy.path() : HealthCheckPolicy.DEFAULT_PATH;
    CompletableFuture<Void> probe =
        BackgroundCalls.start(
            () -> worker.transport().checkHealth(worker.worker(), path, context),
            context,
            probeTimeout);
    return probe.handle(
        (ok, error) -> {
          HealthState current = worker.health();
          if (current == HealthState.DRAINING || closed.get()) {
            // A drain stands; and after close, listeners have heard routerClosed already.
            return current;
          }
          HealthState next = error == null ? HealthState.HEALTHY : HealthState.UNHEALTHY;
          if (next != current && !registry.transitionHealth(workerId, current, next)) {
            return worker.health(); // changed meanwhile (an operator's drain): that stands
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
    HealthChecker checker = healthChecker;
    if (checker != null) {
      checker.close();
    }
    fleet.close();
    for (RequestCall call : active) {
      call.cancel(RouterCallContext.Reason.CLOSED);
    }
    // Refuses later additions and tells the listeners in order with the registry's own events,
    // so that no workerAdded can reach them after routerClosed.
    registry.close();
    scheduler.shutdownNow();
    if (ownsExecutor) {
      executor.shutdown();
    }
    abortsStopped = true;
    transports.close();
    log.info("router closed");
  }

  RetryPolicy retryPolicy() {
    return retry;
  }

  /** @return the router-wide concurrency permits held now (0 when there is no global limit) */
  int globalPermitsHeld() {
    return globalInFlight.get();
  }

  /** @return the requests waiting in the admission queue now */
  int waitingRequests() {
    return queue.size();
  }

  /** @return whether no request waits for a router-wide permit now */
  boolean permitLineEmpty() {
    return queue.permitLineEmpty();
  }

  /** @return the requests that have started and not yet ended */
  int activeRequests() {
    return active.size();
  }

  ListenerSet listeners() {
    return listeners;
  }

  /** The future handed to callers: cancelling it cancels the call on the worker. */
  private static final class ResultFuture<R> extends CompletableFuture<R> {
    private final RequestCall call;

    ResultFuture(RequestCall call) {
      this.call = call;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        call.cancel(RouterCallContext.Reason.CALLER);
      }
      return cancelled;
    }
  }
}
