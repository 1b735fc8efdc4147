package io.flexroute.core.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.WorkerFailure;
import io.flexroute.fleet.WorkerSuccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one control operation on a list of workers: at most {@link Broadcast#parallelism()} at a
 * time, each with its own deadline, and gathers one outcome per worker into a {@link FleetResult}.
 *
 * <p>Thread-safe. A small lock guards the bookkeeping (which worker starts next, how many run);
 * worker calls start and end outside it. The result is completed once, on the executor, after
 * {@code beforeComplete} ran, when every started worker ended and no more will start (all done,
 * halted after a failure, or cancelled).
 *
 * @param <T> the type of each worker's answer
 */
final class BroadcastRun<T> {

  private static final Logger log = LoggerFactory.getLogger(BroadcastRun.class);

  /** One worker's part: it must never throw, only fail its future. */
  @FunctionalInterface
  interface Task<T> {
    CompletableFuture<T> run(WorkerState worker, RouterCallContext context);
  }

  private final ControlOperation operation;
  private final List<WorkerState> targets;
  private final Broadcast broadcast;
  private final Task<T> task;
  private final ScheduledExecutorService scheduler;
  private final Executor executor;
  private final Consumer<List<WorkerSuccess<T>>> beforeComplete;
  private final Consumer<BroadcastRun<?>> onEnd;
  private final ResultFuture result = new ResultFuture();
  private final long startNanos = System.nanoTime();

  private final java.util.concurrent.atomic.AtomicInteger launchRequests =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Object lock = new Object();
  private final @Nullable Object[] outcomes;
  private final @Nullable RouterCallContext[] running;
  private int next;
  private int active;
  private boolean halted;
  private RouterCallContext.@Nullable Reason cancelled;
  private boolean completed;

  BroadcastRun(
      ControlOperation operation,
      List<WorkerState> targets,
      Broadcast broadcast,
      Task<T> task,
      ScheduledExecutorService scheduler,
      Executor executor,
      Consumer<List<WorkerSuccess<T>>> beforeComplete,
      Consumer<BroadcastRun<?>> onEnd) {
    this.operation = operation;
    this.targets = List.copyOf(targets);
    this.broadcast = broadcast;
    this.task = task;
    this.scheduler = scheduler;
    this.executor = executor;
    this.beforeComplete = beforeComplete;
    this.onEnd = onEnd;
    this.outcomes = new Object[targets.size()];
    this.running = new RouterCallContext[targets.size()];
  }

  /** Starts the first workers; returns the future of the whole result. */
  CompletableFuture<FleetResult<T>> start() {
    log.info("{}: {} workers, {}", operation.describe(), targets.size(), broadcast);
    launch();
    return result;
  }

  /** Stops starting workers and cancels the calls still running. */
  void cancel(RouterCallContext.Reason reason) {
    List<RouterCallContext> toCancel = new ArrayList<>();
    synchronized (lock) {
      if (cancelled != null || completed) {
        return;
      }
      cancelled = reason;
      halted = true;
      for (RouterCallContext c : running) {
        if (c != null) {
          toCancel.add(c);
        }
      }
    }
    for (RouterCallContext c : toCancel) {
      c.cancel(reason);
    }
    maybeFinish();
  }

  /**
   * Starts workers while the parallelism allows. A worker whose part ends at once (a transport that
   * refuses synchronously) calls back into this method from inside the loop; the counter turns that
   * call into one more pass of the running loop instead of a recursion as deep as the fleet.
   */
  private void launch() {
    if (launchRequests.getAndIncrement() != 0) {
      return;
    }
    do {
      while (true) {
        int index;
        synchronized (lock) {
          if (halted || next >= targets.size() || active >= broadcast.parallelism()) {
            break;
          }
          index = next++;
          active++;
        }
        startWorker(index);
      }
      maybeFinish();
    } while (launchRequests.decrementAndGet() != 0);
  }

  private void startWorker(int index) {
    WorkerState worker = targets.get(index);
    long begin = System.nanoTime();
    RouterCallContext context =
        new RouterCallContext(
            RequestIds.next(), begin, broadcast.timeout(), worker.worker().headers());
    RouterCallContext.Reason cancelledBefore;
    synchronized (lock) {
      running[index] = context;
      cancelledBefore = cancelled;
    }
    if (cancelledBefore != null) {
      // cancel() ran after this worker was handed out and before its context was registered:
      // it could not reach the context, so the task starts cancelled (and sends nothing).
      context.cancel(cancelledBefore);
    }
    ScheduledFuture<?> timer = null;
    try {
      timer =
          scheduler.schedule(
              () -> context.cancel(RouterCallContext.Reason.TIMEOUT),
              broadcast.timeout().toNanos(),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      context.cancel(RouterCallContext.Reason.CLOSED);
    }
    CompletableFuture<T> call;
    try {
      call = task.run(worker, context);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    ScheduledFuture<?> t = timer;
    call.whenComplete((value, error) -> ended(index, worker, context, t, begin, value, error));
  }

  private void ended(
      int index,
      WorkerState worker,
      RouterCallContext context,
      @Nullable ScheduledFuture<?> timer,
      long begin,
      @Nullable T value,
      @Nullable Throwable error) {
    if (timer != null) {
      timer.cancel(false);
    }
    context.complete();
    Duration took = Duration.ofNanos(Math.max(0, System.nanoTime() - begin));
    Object outcome;
    if (error == null && value != null) {
      outcome = new WorkerSuccess<>(worker.id(), value, took);
    } else {
      RouterException mapped = failureOf(context, error, worker.id());
      WorkerFailure.Cause cause = FleetFailures.causeOf(mapped);
      outcome = new WorkerFailure(worker.id(), cause, mapped, took);
      log.warn("{} failed on worker {} ({}): {}", operation.describe(), worker.id(), cause,
          mapped.getMessage());
    }
    synchronized (lock) {
      outcomes[index] = outcome;
      running[index] = null;
      active--;
      if (outcome instanceof WorkerFailure && broadcast.haltOnFailure()) {
        halted = true;
      }
    }
    launch();
  }

  /** The failure of a worker's part: the context's own end (deadline, cancel) wins. */
  private RouterException failureOf(
      RouterCallContext context, @Nullable Throwable error, String workerId) {
    RouterCallContext.Reason reason = context.reason();
    if (reason == RouterCallContext.Reason.TIMEOUT) {
      return new RequestTimeoutException(context.requestId(), broadcast.timeout());
    }
    if (reason == RouterCallContext.Reason.CLOSED) {
      return new RouterClosedException();
    }
    if (reason == RouterCallContext.Reason.CALLER) {
      return new RequestCancelledException(context.requestId());
    }
    if (error == null) {
      return new RouterException("the worker's part ended without an answer");
    }
    return RequestCall.mapFailure(error, "fleet", workerId);
  }

  private void maybeFinish() {
    List<WorkerSuccess<T>> successes = new ArrayList<>();
    List<WorkerFailure> failures = new ArrayList<>();
    synchronized (lock) {
      if (completed || active > 0 || (!halted && next < targets.size())) {
        return;
      }
      completed = true;
      for (int i = 0; i < targets.size(); i++) {
        Object o = outcomes[i];
        if (o == null) {
          failures.add(notAttempted(targets.get(i).id()));
        } else if (o instanceof WorkerFailure f) {
          failures.add(f);
        } else {
          @SuppressWarnings("unchecked")
          WorkerSuccess<T> s = (WorkerSuccess<T>) o;
          successes.add(s);
        }
      }
    }
    try {
      beforeComplete.accept(successes);
    } catch (RuntimeException e) {
      log.warn("{}: finishing the broadcast failed", operation.describe(), e);
    }
    FleetResult<T> done =
        FleetResult.of(
            operation, successes, failures,
            Duration.ofNanos(Math.max(0, System.nanoTime() - startNanos)));
    log.info("{} ended: {}", operation.describe(), done);
    onEnd.accept(this);
    try {
      executor.execute(() -> result.complete(done));
    } catch (RejectedExecutionException e) {
      result.complete(done);
    }
  }

  private WorkerFailure notAttempted(String workerId) {
    RouterCallContext.Reason reason = cancelled;
    if (reason == RouterCallContext.Reason.CLOSED) {
      return new WorkerFailure(
          workerId, WorkerFailure.Cause.CANCELLED, new RouterClosedException(), Duration.ZERO);
    }
    if (reason != null) {
      return new WorkerFailure(
          workerId, WorkerFailure.Cause.CANCELLED,
          new RequestCancelledException("broadcast"),
          Duration.ZERO);
    }
    return new WorkerFailure(
        workerId, WorkerFailure.Cause.SKIPPED,
        new RouterException("not attempted: an earlier worker failed and the broadcast halts on"
            + " failure"),
        Duration.ZERO);
  }

  /** The future handed to callers: cancelling it cancels the broadcast. */
  private final class ResultFuture extends CompletableFuture<FleetResult<T>> {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean done = super.cancel(mayInterruptIfRunning);
      if (done) {
        BroadcastRun.this.cancel(RouterCallContext.Reason.CALLER);
      }
      return done;
    }
  }
}
