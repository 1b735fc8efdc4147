package io.flexroute.core.internal;

import io.flexroute.RequestOutcome;
import io.flexroute.ResponseStream;
import io.flexroute.RouterException;
import io.flexroute.TokenUsage;
import io.flexroute.spi.ChunkSource;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A routed stream: pulls chunks from the transport's source and ends the request's tracker when the
 * stream ends, fails, is cancelled, or passes its deadline.
 *
 * @param <C> the chunk type
 */
final class RouterResponseStream<C> implements ResponseStream<C> {

  private final CallTracker tracker;
  private final ChunkSource<C> source;
  private final OperationBinding<?, ?, C> binding;
  private final AtomicBoolean iterated = new AtomicBoolean();
  private final AtomicBoolean sourceClosed = new AtomicBoolean();
  private @Nullable TokenUsage lastUsage;
  private @Nullable C lookahead;
  private boolean done;

  RouterResponseStream(CallTracker tracker, ChunkSource<C> source, OperationBinding<?, ?, C> binding) {
    this.tracker = tracker;
    this.source = source;
    this.binding = binding;
    // A deadline, a caller cancel from another thread, or the router closing must unblock a reader.
    tracker.context().onCancel(this::closeSource);
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
    if (done) {
      return null;
    }
    RouterException earlier = tracker.failure();
    if (earlier != null) {
      done = true;
      closeSource();
      throw earlier;
    }
    C chunk;
    try {
      chunk = source.next();
    } catch (RuntimeException e) {
      done = true;
      RouterException mapped = tracker.mapFailure(e);
      tracker.finish(CallTracker.outcomeOf(mapped), lastUsage, mapped);
      closeSource();
      RouterException recorded = tracker.failure();
      throw recorded != null ? recorded : mapped;
    }
    if (chunk == null) {
      done = true;
      closeSource();
      if (!tracker.finish(RequestOutcome.SUCCESS, lastUsage, null)) {
        RouterException recorded = tracker.failure();
        if (recorded != null) {
          throw recorded;
        }
      }
      return null;
    }
    if (tracker.isFinished()) {
      // The deadline or a cancel won the race against this chunk; report that instead.
      done = true;
      closeSource();
      RouterException recorded = tracker.failure();
      if (recorded != null) {
        throw recorded;
      }
      return null;
    }
    tracker.firstChunk();
    TokenUsage usage = binding.chunkUsage(chunk);
    if (usage != null) {
      lastUsage = usage;
    }
    return chunk;
  }

  private void closeSource() {
    if (sourceClosed.compareAndSet(false, true)) {
      source.close();
    }
  }

  @Override
  public String requestId() {
    return tracker.view().requestId();
  }

  @Override
  public String workerId() {
    return tracker.worker().id();
  }

  @Override
  public void cancel() {
    if (!tracker.isFinished()) {
      tracker.context().cancel(RouterCallContext.Reason.CALLER);
    }
    closeSource();
  }

  @Override
  public void close() {
    cancel();
  }
}
