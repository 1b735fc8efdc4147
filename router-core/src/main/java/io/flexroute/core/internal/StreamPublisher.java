package io.flexroute.core.internal;

import io.flexroute.ResponseStream;
import io.flexroute.RequestRejectedException;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A cold {@link Flow.Publisher} over a routed stream: each subscription opens its own stream when the
 * subscriber first requests, and pulls chunks only while there is demand, so a slow subscriber slows
 * the read from the worker instead of buffering.
 *
 * <p>Signals are delivered serially on the executor, following the Reactive Streams rules: none
 * before {@code onSubscribe} returned, at most the requested number of {@code onNext}, then exactly
 * one of {@code onComplete} or {@code onError}, also without outstanding demand (the end of an
 * answer whose last chunk was delivered, a deadline, the router closing), and nothing once a
 * {@code cancel} has been seen (one {@code onNext} may still race a cancel from another thread).
 *
 * <p>A cancel while the stream is still opening (waiting in the admission queue for a worker, or
 * backing off between attempts) interrupts the thread that opens it, which ends the wait and the
 * request at once instead of letting it open a stream on a worker only to close it.
 *
 * @param <C> the chunk type
 */
final class StreamPublisher<C> implements Flow.Publisher<C> {

  private final Supplier<ResponseStream<C>> opener;
  private final Executor executor;

  StreamPublisher(Supplier<ResponseStream<C>> opener, Executor executor) {
    this.opener = opener;
    this.executor = executor;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super C> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Subscription<C> subscription = new Subscription<>(subscriber, opener, executor);
    subscriber.onSubscribe(subscription);
    // Demand or a cancel from inside onSubscribe is acted on only now (rule 1.3: no signal may
    // run while onSubscribe does).
    subscription.start();
  }

  private static final class Subscription<C> implements Flow.Subscription {
    private final Flow.Subscriber<? super C> subscriber;
    private final Supplier<ResponseStream<C>> opener;
    private final Executor executor;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private volatile @Nullable ResponseStream<C> stream;
    private volatile @Nullable Throwable invalidRequest;
    // The thread opening the stream, which a cancel interrupts; both guarded by openLock.
    private final Object openLock = new Object();
    private @Nullable Thread opening;
    private boolean interruptedByCancel;
    private @Nullable Iterator<C> iterator;
    private boolean terminated;
    private volatile boolean started;

    Subscription(
        Flow.Subscriber<? super C> subscriber,
        Supplier<ResponseStream<C>> opener,
        Executor executor) {
      this.subscriber = subscriber;
      this.opener = opener;
      this.executor = executor;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        invalidRequest =
            new IllegalArgumentException("request(n) needs n > 0 (rule 3.9), but was " + n);
      } else {
        long prev;
        long next;
        do {
          prev = demand.get();
          next = prev + n < 0 ? Long.MAX_VALUE : prev + n;
        } while (!demand.compareAndSet(prev, next));
      }
      schedule();
    }

    @Override
    public void cancel() {
      cancelled = true;
      ResponseStream<C> s = stream;
      if (s != null) {
        s.cancel();
      }
      synchronized (openLock) {
        Thread t = opening;
        if (t != null) {
          interruptedByCancel = true;
          t.interrupt();
        }
      }
      schedule();
    }

    /** Lets work start; called once {@code onSubscribe} has returned. */
    void start() {
      started = true;
      schedule();
    }

    private void schedule() {
      if (!started) {
        return; // start() schedules what was asked for meanwhile
      }
      if (wip.getAndIncrement() == 0) {
        try {
          executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
          // The executor is gone (the router closed) or, a caller's bounded executor, full. The
          // work counter stays above zero, so this thread keeps the drain's exclusive right and
          // later schedule() calls start nothing: it alone signals the end (resetting the counter
          // let a second rejected thread signal too).
          RouterException end =
              executor instanceof ExecutorService service && !service.isShutdown()
                  ? new RequestRejectedException(
                      RequestRejectedException.Reason.LIMIT_REACHED,
                      "the router's executor rejected the stream's delivery task")
                  : new RouterClosedException();
          end.addSuppressed(e);
          terminate(end, true);
        }
      }
    }

    private void drain() {
      int missed = 1;
      while (true) {
        if (!terminated) {
          drainOnce();
        }
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    private void drainOnce() {
      if (cancelled) {
        terminated = true;
        closeStream();
        return;
      }
      Throwable invalid = invalidRequest;
      if (invalid != null) {
        terminate(invalid, true);
        return;
      }
      try {
        Iterator<C> it = iterator;
        long requested = demand.get();
        if (requested == 0) {
          if (it != null) {
            endWithoutDemand(it);
          }
          return;
        }
        if (it == null) {
          ResponseStream<C> opened = open();
          if (opened == null) {
            terminated = true; // cancelled before it opened: nothing was sent
            return;
          }
          stream = opened;
          if (cancelled) {
            opened.cancel();
            terminated = true;
            return;
          }
          if (opened instanceof RouterResponseStream<?, ?> routed) {
            // A failure while no chunk is asked for (deadline, close) is signalled at once.
            routed.whenFailed(this::schedule);
          }
          it = opened.iterator();
          iterator = it;
        }
        long emitted = 0;
        while (emitted != requested) {
          if (cancelled) {
            terminated = true;
            closeStream();
            return;
          }
          if (invalidRequest != null) {
            terminate(invalidRequest, true);
            return;
          }
          if (!it.hasNext()) {
            complete();
            return;
          }
          subscriber.onNext(it.next());
          emitted++;
        }
        demand.addAndGet(-emitted);
        endWithoutDemand(it);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        // Also an Error from the subscriber or the transport: the subscription must end, its
        // stream closed, rather than stay wedged.
        terminate(e, true);
      }
    }

    /**
     * With no demand left: completes the subscriber when the chunk last delivered ended the answer
     * (its end is read, which takes no more chunks from the worker), or fails it when the request
     * has failed meanwhile. Terminal signals need no demand (rules 1.4, 1.5).
     */
    private void endWithoutDemand(Iterator<C> it) {
      if (!(stream instanceof RouterResponseStream<?, ?> routed) || terminated) {
        return;
      }
      RouterException failed = routed.endedWith();
      if (failed != null) {
        terminate(failed, true);
      } else if (routed.answerComplete() && !it.hasNext()) {
        complete();
      }
    }

    private void complete() {
      terminated = true;
      closeStream();
      subscriber.onComplete();
    }

    /**
     * Opens the stream on this thread, interruptible by {@link #cancel}.
     *
     * @return the stream, or null when cancelled before it could start (nothing is sent)
     */
    private @Nullable ResponseStream<C> open() {
      synchronized (openLock) {
        if (cancelled) {
          // Cancelled between the check before opening and here, where it could not see us.
          return null;
        }
        opening = Thread.currentThread();
      }
      try {
        return opener.get();
      } finally {
        boolean clear;
        synchronized (openLock) {
          opening = null;
          clear = interruptedByCancel;
          interruptedByCancel = false;
        }
        // No cancel can interrupt this thread any more; the interrupt it may have sent (noticed
        // by the opener or not) must not outlive the open on this executor thread.
        if (clear) {
          Thread.interrupted();
        }
      }
    }

    private void terminate(Throwable error, boolean signal) {
      if (terminated) {
        return;
      }
      terminated = true;
      closeStream();
      if (signal && !cancelled) {
        subscriber.onError(error);
      }
    }

    private void closeStream() {
      ResponseStream<C> s = stream;
      if (s != null) {
        s.close();
      }
    }
  }
}
