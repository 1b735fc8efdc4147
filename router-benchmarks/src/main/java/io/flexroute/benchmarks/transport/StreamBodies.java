package io.flexroute.benchmarks.transport;

import io.flexroute.transport.http.internal.SseEvent;
import io.flexroute.transport.http.internal.SseReader;
import io.flexroute.transport.http.internal.StreamDecoder;
import java.io.IOException;
import okio.Buffer;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads an SSE body from memory, the way the HTTP transport reads a worker's stream or the way an
 * application without a router would.
 */
final class StreamBodies {

  private static final String DATA = "data: ";

  private StreamBodies() {}

  /** Takes one event's data. */
  @FunctionalInterface
  interface DataHandler {
    /**
     * Handles the data.
     *
     * @param data the text after {@code data: }
     * @throws IOException if parsing it fails
     */
    void accept(String data) throws IOException;
  }

  /**
   * What an application does without a router: Okio reads each line as a string, and the data
   * lines up to {@code [DONE]} go to the handler.
   *
   * @param body the SSE body
   * @param handler takes every event's data
   * @throws IOException if the handler fails
   */
  static void forEachData(byte[] body, DataHandler handler) throws IOException {
    Buffer source = new Buffer().write(body);
    for (String line = source.readUtf8Line(); line != null; line = source.readUtf8Line()) {
      if (!line.startsWith(DATA)) {
        continue;
      }
      String data = line.substring(DATA.length());
      if (data.equals("[DONE]")) {
        return;
      }
      handler.accept(data);
    }
  }

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
