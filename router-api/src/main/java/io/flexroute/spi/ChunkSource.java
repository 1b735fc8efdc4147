package io.flexroute.spi;

import org.jspecify.annotations.Nullable;

/**
 * A pull-based source of stream chunks from one worker call, returned by a {@link Transport}.
 *
 * <p>Pulling keeps backpressure end to end: the transport reads from the network only as fast as the
 * caller consumes. {@link #next()} is called from one thread at a time; {@link #close()} may be called
 * from any thread, also while {@code next()} blocks, and must make it return or throw promptly.
 *
 * @param <T> the chunk type
 */
public interface ChunkSource<T> extends AutoCloseable {

  /**
   * Reads the next chunk, blocking until it arrives.
   *
   * @return the chunk, or null at the normal end of the stream
   * @throws io.flexroute.WorkerException if the worker reported an error or the stream broke
   * @throws io.flexroute.RouterException for any other failure
   */
  @Nullable T next();

  /** Stops reading and releases the connection; aborts the call if it has not ended. Idempotent. */
  @Override
  void close();
}
