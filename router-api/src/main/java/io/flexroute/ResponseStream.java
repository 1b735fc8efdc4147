package io.flexroute;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A blocking stream of chunks from one routed request.
 *
 * <p>Iterate it once, on one thread, and close it: closing before the end cancels the request on the
 * worker and releases the worker's in-flight slot. Iteration throws the same {@link RouterException}
 * types as blocking calls, also after chunks were delivered: a {@link WorkerException} (a stream
 * error, a broken connection, an unreadable chunk, weights older than the request's minimum
 * version), a {@link RequestTimeoutException}, a {@link RequestCancelledException} (a cancel, or
 * an interrupt of the reading thread, which is seen at the next read even when that chunk is
 * already buffered), a {@link RouterClosedException}, or, when a broken token stream could not be
 * resumed elsewhere, what the wait for another worker ended with ({@link
 * NoEligibleWorkerException}, {@link RequestRejectedException}). {@link #close()} and {@link
 * #cancel()} may be called from any thread.
 *
 * <pre>{@code
 * try (ResponseStream<ChatChunk> stream = router.chatStream(request)) {
 *   stream.forEach(chunk -> System.out.print(chunk.content()));
 * }
 * }</pre>
 *
 * @param <T> the chunk type
 */
public interface ResponseStream<T> extends Iterable<T>, AutoCloseable {

  /**
   * The chunks, in order. May be called once.
   *
   * @return an iterator whose {@code hasNext()} blocks until the next chunk or the end
   * @throws IllegalStateException if called a second time
   */
  @Override
  Iterator<T> iterator();

  /**
   * The chunks as a sequential {@link Stream}; closing the returned stream closes this one.
   *
   * @return the stream
   * @throws IllegalStateException if the chunks were already iterated
   */
  default Stream<T> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /**
   * The id the request runs under on the worker.
   *
   * @return the request id
   */
  String requestId();

  /**
   * The worker serving the stream.
   *
   * @return the worker id
   */
  String workerId();

  /**
   * Cancels the request: the worker-side call is aborted and a blocked iterator wakes up with a
   * {@link RequestCancelledException}. Idempotent; does nothing after the stream ended.
   */
  void cancel();

  /** Releases the stream; before its end this is the same as {@link #cancel()}. Idempotent. */
  @Override
  void close();
}
