package io.flexroute.transport.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import okio.Buffer;
import okio.BufferedSource;
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

  private static final byte[] DATA = {'d', 'a', 't', 'a'};
  private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
  private static final byte[] ID = {'i', 'd'};

  private final BufferedSource source;
  private final Buffer buffer;
  private final LineEnds lineEnds = new LineEnds();
  private final long maxEventBytes;
  /** The event's only data line so far, or null; its value (from {@code dataFrom}) is not copied. */
  private byte @Nullable [] dataLine;
  private int dataFrom;
  /** The joined data of an event with several data lines; null until a second line comes. */
  private byte @Nullable [] joined;
  private int joinedLength;
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
      byte[] line = readLine();
      if (line == null) {
        // End of body: deliver a last event that was not closed by a blank line.
        return hasData ? dispatch() : null;
      }
      int from = 0;
      if (firstLine) {
        firstLine = false;
        if (line.length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB
            && line[2] == (byte) 0xBF) {
          from = 3; // a byte order mark may start the stream
        }
      }
      eventBytes += line.length - from + 1;
      if (eventBytes > maxEventBytes) {
        throw new SseFormatException("an event is larger than " + maxEventBytes + " bytes");
      }
      if (from == line.length) {
        if (hasData) {
          return dispatch();
        }
        eventName = null; // an event without data is dropped, name and all
        continue;
      }
      if (line[from] == ':') {
        continue; // comment, often a keep-alive
      }
      int colon = indexOf(line, from, (byte) ':');
      int fieldEnd = colon < 0 ? line.length : colon;
      int valueFrom = line.length;
      if (colon >= 0) {
        valueFrom = colon + 1;
        if (valueFrom < line.length && line[valueFrom] == ' ') {
          valueFrom++;
        }
      }
      if (is(line, from, fieldEnd, DATA)) {
        addData(line, valueFrom);
      } else if (is(line, from, fieldEnd, EVENT)) {
        eventName = utf8(line, valueFrom);
      } else if (is(line, from, fieldEnd, ID)) {
        if (indexOf(line, valueFrom, (byte) 0) < 0) {
          lastId = utf8(line, valueFrom);
        }
      }
      // "retry" and unknown fields do not matter to a pull reader.
    }
  }

  /**
   * Keeps a data line's value: the first by reference to its line (most events have one data line,
   * which then reaches the decoder without a copy), later ones joined with {@code \n}.
   */
  private void addData(byte[] line, int valueFrom) {
    int length = line.length - valueFrom;
    if (!hasData) {
      hasData = true;
      dataLine = line;
      dataFrom = valueFrom;
      return;
    }
    if (joined == null) {
      byte[] first = dataLine;
      int firstLength = first.length - dataFrom;
      joined = new byte[Math.max(64, 2 * (firstLength + 1 + length))];
      System.arraycopy(first, dataFrom, joined, 0, firstLength);
      joinedLength = firstLength;
      dataLine = null;
    }
    int needed = joinedLength + 1 + length;
    if (needed > joined.length) {
      joined = Arrays.copyOf(joined, Math.max(needed, 2 * joined.length));
    }
    joined[joinedLength] = '\n';
    System.arraycopy(line, valueFrom, joined, joinedLength + 1, length);
    joinedLength = needed;
  }

  private SseEvent dispatch() {
    SseEvent event;
    if (joined != null) {
      event = new SseEvent(eventName, lastId, Arrays.copyOf(joined, joinedLength), 0, joinedLength);
      joined = null;
    } else {
      event = new SseEvent(eventName, lastId, dataLine, dataFrom, dataLine.length - dataFrom);
      dataLine = null;
    }
    hasData = false;
    eventName = null;
    return event;
  }

  private static boolean is(byte[] line, int from, int to, byte[] name) {
    return Arrays.equals(line, from, to, name, 0, name.length);
  }

  private static int indexOf(byte[] line, int from, byte b) {
    for (int i = from; i < line.length; i++) {
      if (line[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static String utf8(byte[] line, int from) {
    return new String(line, from, line.length - from, StandardCharsets.UTF_8);
  }

  /** One line without its terminator, or null at the end of the body. */
  private byte @Nullable [] readLine() throws IOException {
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
      long end = lineEnds.find(buffer, scanned);
      if (end >= 0) {
        byte[] line = buffer.readByteArray(end);
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
        return buffer.readByteArray();
      }
    }
  }
}
