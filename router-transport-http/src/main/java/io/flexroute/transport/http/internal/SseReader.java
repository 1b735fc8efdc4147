package io.flexroute.transport.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okio.Buffer;
import okio.BufferedSource;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * A pull-based reader of {@code text/event-stream} bodies: each {@link #next()} blocks until one
 * whole event has arrived and returns it.
 *
 * <p>OkHttp's own {@code okhttp-sse} pushes events to a listener on its thread, which would force
 * an unbounded queue between the network and a slow consumer. Pulling instead keeps backpressure
 * end to end: nothing is read from the socket until the consumer asks for the next chunk.
 *
 * <p>Follows the WHATWG event-stream rules: lines end with CRLF, LF or CR (also when the two bytes
 * of a CRLF arrive in different reads); a line starting with {@code :} is a comment; {@code data:}
 * lines are joined with {@code \n} after dropping one optional space after the colon; {@code
 * event:} and {@code id:} are kept; other fields are ignored; a blank line ends an event, and an
 * event with no data line is dropped. Unlike the browser algorithm, a last event that the server
 * did not close with a blank line before the end of the body is still delivered.
 *
 * <p>Not thread-safe: one thread reads at a time.
 */
public final class SseReader {

  /** The largest event accepted, in bytes; larger ones fail the stream. */
  public static final long MAX_EVENT_BYTES = 64L * 1024 * 1024;

  private static final ByteString LINE_ENDS = ByteString.encodeUtf8("\r\n");

  private final BufferedSource source;
  private final Buffer buffer;
  private final long maxEventBytes;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private @Nullable String eventName;
  private @Nullable String lastId;
  /** A CR ended the last line: a LF that follows belongs to it, even when it arrives later. */
  private boolean skipLf;
  private boolean eof;
  private boolean firstLine = true;

  /**
   * Creates a reader.
   *
   * @param source the body
   */
  public SseReader(BufferedSource source) {
    this(source, MAX_EVENT_BYTES);
  }

  /**
   * Creates a reader with a size limit, for tests.
   *
   * @param source the body
   * @param maxEventBytes the largest event accepted
   */
  public SseReader(BufferedSource source, long maxEventBytes) {
    this.source = source;
    this.buffer = source.getBuffer();
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Reads the next event, blocking until it is complete.
   *
   * @return the event, or null at the end of the body
   * @throws IOException if reading fails, or {@link SseFormatException} if an event is too large
   */
  public @Nullable SseEvent next() throws IOException {
    long eventBytes = 0;
    while (true) {
      String line = readLine();
      if (firstLine) {
        firstLine = false;
        if (line != null && line.startsWith("\uFEFF")) {
          line = line.substring(1); // a byte order mark may start the stream
        }
      }
      if (line == null) {
        // End of body: deliver a last event that was not closed by a blank line.
        return hasData ? dispatch() : null;
      }
      eventBytes += line.length() + 1;
      if (eventBytes > maxEventBytes) {
        throw new SseFormatException("an event is larger than " + maxEventBytes + " bytes");
      }
      if (line.isEmpty()) {
        if (hasData) {
          return dispatch();
        }
        eventName = null; // an event without data is dropped, name and all
        continue;
      }
      if (line.charAt(0) == ':') {
        continue; // comment, often a keep-alive
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = "";
      if (colon >= 0) {
        int start = colon + 1;
        if (start < line.length() && line.charAt(start) == ' ') {
          start++;
        }
        value = line.substring(start);
      }
      switch (field) {
        case "data" -> {
          if (hasData) {
            data.append('\n');
          }
          data.append(value);
          hasData = true;
        }
        case "event" -> eventName = value;
        case "id" -> {
          if (value.indexOf('\0') < 0) {
            lastId = value;
          }
        }
        default -> {
          // "retry" and unknown fields do not matter to a pull reader.
        }
      }
    }
  }

  private SseEvent dispatch() {
    SseEvent event = new SseEvent(eventName, lastId, data.toString());
    data.setLength(0);
    hasData = false;
    eventName = null;
    return event;
  }

  /** One line without its terminator, or null at the end of the body. */
  private @Nullable String readLine() throws IOException {
    if (eof) {
      return null;
    }
    if (skipLf) {
      if (buffer.size() == 0 && !source.request(1)) {
        eof = true;
        return null;
      }
      if (buffer.getByte(0) == '\n') {
        buffer.skip(1);
      }
      skipLf = false;
    }
    long scanned = 0;
    while (true) {
      long end = buffer.indexOfElement(LINE_ENDS, scanned);
      if (end >= 0) {
        String line = buffer.readString(end, StandardCharsets.UTF_8);
        byte terminator = buffer.readByte();
        if (terminator == '\r') {
          if (buffer.size() > 0) {
            if (buffer.getByte(0) == '\n') {
              buffer.skip(1);
            }
          } else {
            skipLf = true; // do not block for a byte that may never come
          }
        }
        return line;
      }
      scanned = buffer.size();
      if (scanned > maxEventBytes) {
        throw new SseFormatException("an event is larger than " + maxEventBytes + " bytes");
      }
      if (!source.request(scanned + 1)) {
        eof = true;
        if (buffer.size() == 0) {
          return null;
        }
        return buffer.readString(buffer.size(), StandardCharsets.UTF_8);
      }
    }
  }
}
