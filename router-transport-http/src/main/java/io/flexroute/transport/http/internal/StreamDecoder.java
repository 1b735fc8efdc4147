package io.flexroute.transport.http.internal;

import org.jspecify.annotations.Nullable;

/**
 * Turns the events of one stream into chunks and decides whether the stream ended properly. One
 * instance per stream; it may keep state between events.
 *
 * <p>Not thread-safe: called by the thread that pulls the stream.
 *
 * @param <T> the chunk type
 */
public interface StreamDecoder<T> {

  /**
   * Decodes one event (never the {@code [DONE]} marker).
   *
   * @param event the event
   * @return the chunk, or null to skip the event
   * @throws io.flexroute.WorkerException if the event reports an error or cannot be read
   * @throws JsonShapeException if the event's JSON has the wrong shape
   */
  @Nullable T decode(SseEvent event);

  /**
   * Called once when the stream ends, after {@code [DONE]} or at the end of the body.
   *
   * @param sawDone whether the {@code [DONE]} marker ended it
   * @throws io.flexroute.WorkerException if the stream ended before the answer was complete
   */
  void end(boolean sawDone);
}
