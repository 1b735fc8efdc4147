package io.flexroute.transport.http.internal;

import io.flexroute.RequestCancelledException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.Call;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChunkSource} over one streaming HTTP response: each {@link #next()} reads events from
 * the socket until its decoder yields a chunk, so nothing is read ahead of the consumer.
 *
 * <p>{@code next()} is called by one thread at a time. {@link #close()} may be called from any
 * thread, also while {@code next()} blocks: it cancels the OkHttp call, which makes the blocked
 * read fail at once, and the response is released by whichever of the two finishes last. The first
 * failure is remembered and thrown again by later {@code next()} calls.
 *
 * @param <T> the chunk type
 */
public final class SseChunkSource<T> implements ChunkSource<T> {

  private static final Logger log = LoggerFactory.getLogger(SseChunkSource.class);

  private final Call call;
  private final Response response;
  private final SseReader reader;
  private final StreamDecoder<T> decoder;
  private final Worker worker;
  private final CallContext context;
  private final Duration timeout;
  private final Failures failures;
  /** Held by next() while it reads; close() releases the response only when it can take it. */
  private final ReentrantLock readLock = new ReentrantLock();

  private volatile boolean closed;
  private boolean ended;
  private boolean released;
  private @Nullable RouterException failure;

  /**
   * Wraps an accepted streaming response.
   *
   * @param call the call
   * @param response its 2xx response
   * @param decoder turns events into chunks
   * @param worker the worker
   * @param context the call's context
   * @param timeout the call timeout that was set
   * @param failures the failure mapper
   */
  public SseChunkSource(
      Call call,
      Response response,
      StreamDecoder<T> decoder,
      Worker worker,
      CallContext context,
      Duration timeout,
      Failures failures) {
    this.call = call;
    this.response = response;
    this.reader = new SseReader(response.body().source());
    this.decoder = decoder;
    this.worker = worker;
    this.context = context;
    this.timeout = timeout;
    this.failures = failures;
  }

  @Override
  public @Nullable T next() {
    readLock.lock();
    try {
      if (failure != null) {
        throw failure;
      }
      if (ended) {
        return null;
      }
      if (closed) {
        throw fail(new RequestCancelledException(context.requestId()));
      }
      return readChunk();
    } finally {
      if (closed || ended || failure != null) {
        release();
      }
      readLock.unlock();
      if (closed) {
        releaseIfIdle(); // close() may have run between the check above and the unlock
      }
    }
  }

  private @Nullable T readChunk() {
    while (true) {
      SseEvent event;
      try {
        event = reader.next();
      } catch (IOException e) {
        throw fail(failures.fromIo(e, worker, context, timeout, closed));
      }
      try {
        if (event == null || event.isDone()) {
          decoder.end(event != null);
          ended = true;
          return null;
        }
        T chunk = decoder.decode(event);
        if (chunk != null) {
          return chunk;
        }
      } catch (JsonShapeException e) {
        throw fail(failures.malformed(worker, e.getMessage(), e));
      } catch (RouterException e) {
        throw fail(e);
      } catch (RuntimeException e) {
        // A value the result types refuse (such as a negative count) is a malformed answer too.
        throw fail(failures.malformed(worker, "could not read a stream event: " + e, e));
      }
    }
  }

  private RouterException fail(RouterException e) {
    failure = e;
    log.debug(
        "stream of request {} on worker {} failed: {}",
        context.requestId(),
        worker.id(),
        e.toString());
    return e;
  }

  /** Closes the response; called with the read lock held. */
  private void release() {
    if (!released) {
      released = true;
      response.close();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!ended) {
      call.cancel();
    }
    // If next() is reading, the cancel makes its read fail and it releases on the way out.
    releaseIfIdle();
  }

  private void releaseIfIdle() {
    if (readLock.tryLock()) {
      try {
        release();
      } finally {
        readLock.unlock();
      }
    }
  }
}
