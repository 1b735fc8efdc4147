package io.flexroute.benchmarks.transport;

import io.flexroute.transport.http.internal.SseEvent;
import io.flexroute.transport.http.internal.SseReader;
import io.flexroute.transport.http.internal.StreamDecoder;
import java.io.IOException;
import okio.Buffer;
import org.openjdk.jmh.infra.Blackhole;

/** Reads an SSE body from memory the way the HTTP transport reads a worker's stream. */
final class StreamBodies {

  private StreamBodies() {}

  /**
   * Decodes every event of a body up to {@code [DONE]} or its end, as the transport's chunk source
   * does.
   *
   * @param <C> the chunk type
   * @param body the SSE body
   * @param decoder a new decoder for the stream
   * @param blackhole takes every chunk
   * @throws IOException never, the body is in memory
   */
  static <C> void decodeAll(byte[] body, StreamDecoder<C> decoder, Blackhole blackhole)
      throws IOException {
    SseReader reader = new SseReader(new Buffer().write(body));
    for (SseEvent event = reader.next(); event != null; event = reader.next()) {
      if (event.isDone()) {
        decoder.end(true);
        return;
      }
      blackhole.consume(decoder.decode(event));
    }
    decoder.end(false);
  }
}
