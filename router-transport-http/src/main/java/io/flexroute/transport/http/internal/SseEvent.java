package io.flexroute.transport.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One server-sent event. Its data is kept as the UTF-8 bytes that arrived, so that a decoder can
 * hand them to a JSON parser without decoding them into a string first; {@link #data()} decodes
 * them on demand (malformed UTF-8 becomes U+FFFD).
 *
 * <p>Instances are immutable and thread-safe: the data bytes are never changed after the reader
 * made them. {@code toString()} leaves out the data.
 */
public final class SseEvent {

  /** The data of the event that ends OpenAI and SGLang streams. */
  public static final String DONE = "[DONE]";

  private static final byte[] DONE_BYTES = DONE.getBytes(StandardCharsets.US_ASCII);

  private final @Nullable String event;
  private final @Nullable String id;
  private final byte[] bytes;
  private final int offset;
  private final int length;
  private @Nullable String data;

  /**
   * An event whose data is given as text.
   *
   * @param event the {@code event:} name, or null when the event had none
   * @param id the {@code id:} value, or null
   * @param data the {@code data:} lines joined with {@code \n}
   * @throws NullPointerException if data is null
   */
  public SseEvent(@Nullable String event, @Nullable String id, String data) {
    this(event, id, Objects.requireNonNull(data, "data").getBytes(StandardCharsets.UTF_8));
    this.data = data;
  }

  private SseEvent(@Nullable String event, @Nullable String id, byte[] bytes) {
    this(event, id, bytes, 0, bytes.length);
  }

  /**
   * An event whose data is a range of UTF-8 bytes; the caller hands the array over and must not
   * change it afterwards.
   *
   * @param event the {@code event:} name, or null
   * @param id the {@code id:} value, or null
   * @param bytes the array holding the data
   * @param offset where the data starts
   * @param length the data's length in bytes
   */
  SseEvent(@Nullable String event, @Nullable String id, byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    this.event = event;
    this.id = id;
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
  }

  /**
   * The {@code event:} name.
   *
   * @return the name, or null when the event had none
   */
  public @Nullable String event() {
    return event;
  }

  /**
   * The last {@code id:} value seen in the stream.
   *
   * @return the id, or null
   */
  public @Nullable String id() {
    return id;
  }

  /**
   * The {@code data:} lines joined with {@code \n}, decoded from UTF-8 on first use.
   *
   * @return the data
   */
  public String data() {
    String text = data;
    if (text == null) {
      // A benign race: two threads may decode the same bytes to equal strings.
      text = new String(bytes, offset, length, StandardCharsets.UTF_8);
      data = text;
    }
    return text;
  }

  /**
   * The array holding the data's UTF-8 bytes; read only {@link #dataLength()} bytes from {@link
   * #dataOffset()}, and never change them.
   *
   * @return the shared array
   */
  byte[] dataBytes() {
    return bytes;
  }

  /**
   * Where the data starts in {@link #dataBytes()}.
   *
   * @return the offset
   */
  int dataOffset() {
    return offset;
  }

  /**
   * The data's length in bytes.
   *
   * @return the length
   */
  int dataLength() {
    return length;
  }

  /**
   * Whether this is the {@code data: [DONE]} end marker, whitespace around it allowed.
   *
   * @return {@code true} for the end marker
   */
  public boolean isDone() {
    int from = offset;
    int to = offset + length;
    while (from < to && isAsciiSpace(bytes[from])) {
      from++;
    }
    while (to > from && isAsciiSpace(bytes[to - 1])) {
      to--;
    }
    if (Arrays.equals(bytes, from, to, DONE_BYTES, 0, DONE_BYTES.length)) {
      return true;
    }
    // Other Unicode white space (which String.strip also removes) needs the decoded text; only
    // short data can be the marker with it.
    return to - from <= 64 && hasNonAscii(from, to) && DONE.equals(data().strip());
  }

  private static boolean isAsciiSpace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r') || (b >= 0x1C && b <= 0x1F);
  }

  private boolean hasNonAscii(int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] < 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SseEvent other
        && Objects.equals(event, other.event)
        && Objects.equals(id, other.id)
        && Arrays.equals(
            bytes, offset, offset + length, other.bytes, other.offset, other.offset + other.length);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(event, id);
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + bytes[i];
    }
    return h;
  }

  @Override
  public String toString() {
    return "SseEvent{event=" + event + ", id=" + id + ", dataBytes=" + length + "}";
  }
}
