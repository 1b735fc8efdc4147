package io.flexroute.core.internal;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.InferenceRequest;
import io.flexroute.RequestOutcome;
import io.flexroute.ResponseStream;
import io.flexroute.RouterException;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import io.flexroute.spi.ChunkSource;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A routed stream: pulls chunks from the current attempt's source on the caller's thread and ends
 * the request when the stream ends, fails, is cancelled, or passes its deadline.
 *
 * <p>Until the first chunk has reached the caller, a failed attempt is retried on another worker
 * like any request. After that a stream is never replayed; a token-level generate stream can
 * instead be resumed on another worker from the tokens already delivered ({@link
 * GenerateResumption}), so the caller sees one unbroken stream.
 *
 * @param <Q> the request type
 * @param <C> the chunk type
 */
final class RouterResponseStream<Q extends InferenceRequest, C> implements ResponseStream<C> {

  private final DefaultRouter router;
  private final OperationBinding<Q, ?, C> binding;
  private final RequestCall call;
  private final @Nullable GenerateResumption resumption;
  private final AtomicBoolean iterated = new AtomicBoolean();
  private Q request;
  private volatile @Nullable Attempt attempt;
  private volatile @Nullable ChunkSource<C> source;
  private @Nullable TokenUsage lastUsage;
  private @Nullable C lookahead;
  private boolean delivered;
  // A chunk carrying usage was delivered: the answer's last chunk (generate) or usage chunk (chat,
  // completions), after which only the stream's end can still fail.
  private boolean complete;
  private boolean done;

  RouterResponseStream(
      DefaultRouter router, OperationBinding<Q, ?, C> binding, Q request, RequestCall call) {
    this.router = router;
    this.binding = binding;
    this.request = request;
    this.call = call;
    this.resumption =
        request instanceof GenerateRequest g && router.retryPolicy().resumeTokenStreams()
            ? GenerateResumption.of(g)
            : null;
  }

  /** Opens the first attempt, retrying on other workers; blocks until a worker accepted it. */
  void open() {
    while (true) {
      Attempt a = awaitAttempt();
      ChunkSource<C> opened;
      try {
        opened = binding.open(a.worker().transport(), a.worker().worker(), request, a.context());
        if (opened == null) {
          throw DefaultRouter.noResult(a.worker());
        }
      } catch (RuntimeException e) {
        // An interrupted caller or a passed deadline ends the request before the attempt, so the
        // worker is told to abort and the failure is not blamed on it.
        CallerThreadCalls.endIfInterruptedOrLate(call);
        RouterException mapped = failureOf(a, e);
        a.finish(RequestCall.outcomeOf(mapped), null, mapped);
        backoffOrFail(a, mapped);
        continue;
      } catch (Error e) {
        // A transport that broke with an Error: end the attempt and the request here, or its slot
        // and permit stay taken until the deadline.
        CallerThreadCalls.endWithError(call, a, lastUsage, e);
        throw e;
      }
      attempt = a;
      source = opened;
      // A deadline, a caller cancel from another thread, or the router closing must unblock a
      // reader blocked in the source.
      a.context().onCancel(() -> closeQuietly(opened));
      return;
    }
  }

  private Attempt awaitAttempt() {
    return CallerThreadCalls.awaitAttempt(router, call);
  }

  /** The exception the request ended with, or the given one if it has not ended. */
  private RouterException ended(RouterException fallback) {
    return CallerThreadCalls.ended(call, fallback);
  }

  private RouterException failureOf(Attempt a, Throwable error) {
    return CallerThreadCalls.failureOf(call, a, error);
  }

  /** Waits out the retry backoff, or ends the request with the failure when it is not retried. */
  private void backoffOrFail(Attempt failed, RouterException error) {
    CallerThreadCalls.awaitBackoff(router, call, failed, error);
  }

  @Override
  public Iterator<C> iterator() {
    if (!iterated.compareAndSet(false, true)) {
      throw new IllegalStateException("a ResponseStream can be iterated only once");
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        if (lookahead != null) {
          return true;
        }
        lookahead = fetch();
        return lookahead != null;
      }

      @Override
      public C next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream has ended");
        }
        C chunk = lookahead;
        lookahead = null;
        return chunk;
      }
    };
  }

  private @Nullable C fetch() {
    while (true) {
      if (done) {
        return null;
      }
      if (Thread.currentThread().isInterrupted() && !call.isFinished()) {
        // Also when the next chunk is already buffered: an interrupt cancels the request.
        call.cancel(RouterCallContext.Reason.CALLER);
      }
      RouterException earlier = call.failure();
      if (earlier != null) {
        done = true;
        closeSource();
        throw earlier;
      }
      Attempt a = attempt;
      ChunkSource<C> s = source;
      if (a == null || s == null) {
        throw new IllegalStateException("stream not open");
      }
      C chunk;
      a.waitingForWorker(true);
      try {
        chunk = s.next();
        if (chunk != null) {
          // Checked before the chunk reaches the caller: a worker that answers with weights too
          // old for the request fails the attempt, and the stream goes on elsewhere.
          WorkerException tooOld =
              router.answeredWeightVersion(a, binding.chunkWeightVersion(chunk));
          if (tooOld != null) {
            throw tooOld;
          }
        }
      } catch (RuntimeException e) {
        CallerThreadCalls.endIfInterruptedOrLate(call);
        if (complete && !call.isFinished()) {
          // The answer's last chunk was delivered; what broke was only the end of the stream
          // ([DONE], trailers). The answer is whole: no retry, no resumption.
          return endAnswered(a);
        }
        RouterException mapped = failureOf(a, e);
        a.finish(RequestCall.outcomeOf(mapped), lastUsage, mapped);
        closeSource();
        if (call.isFinished()) {
          done = true;
          throw ended(mapped);
        }
        if (!continueElsewhere(a, mapped)) {
          done = true;
          call.fail(RequestCall.outcomeOf(mapped), mapped);
          throw ended(mapped);
        }
        continue;
      } catch (Error e) {
        done = true;
        closeSource();
        CallerThreadCalls.endWithError(call, a, lastUsage, e);
        throw e;
      }
      if (chunk == null) {
        return endAnswered(a);
      }
      if (call.isFinished()) {
        // The deadline or a cancel won the race against this chunk; report that instead.
        done = true;
        closeSource();
        RouterException recorded = call.failure();
        if (recorded != null) {
          throw recorded;
        }
        return null;
      }
      // From here until the caller asks for the next chunk, a deadline that passes is the caller's
      // slowness, not the worker's.
      a.waitingForWorker(false);
      chunk = adjust(chunk);
      a.firstChunk();
      if (!delivered) {
        delivered = true;
        router.listeners().firstChunk(
            call.view(), a.worker(), Duration.ofNanos(System.nanoTime() - call.startNanos()));
      }
      TokenUsage usage = binding.chunkUsage(chunk);
      if (usage != null) {
        lastUsage = usage;
      }
      if (binding.endsAnswer(chunk)) {
        complete = true;
      }
      return chunk;
    }
  }

  /**
   * Ends the stream as answered: the attempt and the request succeed, unless the request ended
   * meanwhile (deadline, cancel, close), which is then reported.
   *
   * @return null, the end of the stream
   */
  private @Nullable C endAnswered(Attempt a) {
    done = true;
    closeSource();
    a.finish(RequestOutcome.SUCCESS, lastUsage, null);
    if (!call.finish(RequestOutcome.SUCCESS, lastUsage, null)) {
      RouterException recorded = call.failure();
      if (recorded != null) {
        throw recorded;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private C adjust(C chunk) {
    if (resumption != null && chunk instanceof GenerateChunk g) {
      GenerateChunk shifted = resumption.adjust(g);
      resumption.delivered(shifted);
      return (C) shifted;
    }
    return chunk;
  }

  /**
   * After a broken attempt: before anything reached the caller, retry elsewhere; after, resume a
   * token-level generation elsewhere. Opens the new attempt.
   *
   * @return {@code false} when the stream cannot continue
   */
  @SuppressWarnings("unchecked")
  private boolean continueElsewhere(Attempt failed, RouterException error) {
    if (delivered) {
      if (resumption == null) {
        return false;
      }
      // Nothing left to generate: fail without taking a retry from the budget or announcing one.
      GenerateRequest resumed = resumption.resumeRequest();
      if (resumed == null) {
        return false;
      }
      long backoff = router.retryBackoff(call, failed, error);
      if (backoff < 0) {
        return false;
      }
      request = (Q) resumed;
      // A request that ends during the wait (deadline, interrupt, close) fails at the open below.
      CallerThreadCalls.sleep(call, backoff);
    } else {
      backoffOrFail(failed, error);
    }
    attempt = null;
    source = null;
    open();
    return true;
  }

  private void closeSource() {
    ChunkSource<C> s = source;
    if (s != null) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(ChunkSource<?> s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      // Closing is best effort; the request's outcome is already decided.
    }
  }

  @Override
  public String requestId() {
    return call.view().requestId();
  }

  @Override
  public String workerId() {
    Attempt a = attempt;
    return a == null ? "none" : a.worker().id();
  }

  /**
   * Whether the chunk last read ended the answer (only the stream's end can follow), for a
   * publisher that completes its subscriber without waiting for more demand. Read on the thread
   * that reads the stream.
   */
  boolean answerComplete() {
    return complete;
  }

  /**
   * The failure the request ended with (deadline, cancel, router close, a worker's error), or null
   * while it runs or when it succeeded.
   */
  @Nullable RouterException endedWith() {
    return call.isFinished() ? call.failure() : null;
  }

  /** Runs {@code action} (once) when the request fails, on the failing thread. */
  void whenFailed(Runnable action) {
    call.setFailureSink(e -> action.run());
  }

  @Override
  public void cancel() {
    if (!call.isFinished()) {
      call.cancel(RouterCallContext.Reason.CALLER);
    }
    closeSource();
  }

  @Override
  public void close() {
    cancel();
  }
}
