package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes long JSON string values (prompts, message contents, tool arguments) faster than Jackson's
 * own {@code writeString}, which escapes one {@code charAt} at a time: a chat body is mostly such
 * text, so that loop was the largest part of writing one.
 *
 * <p>A string that is plain ASCII without a character JSON escapes (control characters, quote,
 * backslash) is its own JSON text: its bytes are copied out in one go, checked eight at a time, and
 * written raw between quotes, which gives exactly the bytes {@code writeString} would. Anything
 * else (short strings, non-ASCII text, characters to escape, a generator that is not Jackson's
 * UTF-8 one or that has custom escapes, such as a tree being built) goes through {@code
 * writeString}, so the result never differs.
 *
 * <p>Stateless and thread-safe.
 */
final class JsonText {

  /** Shorter strings are not worth the copy. */
  static final int MIN_LENGTH = 64;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long SPACES = ONES * 0x20;
  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long QUESTION_MARKS = ONES * '?';

  private JsonText() {}

  /**
   * Writes a field whose value is a string.
   *
   * @param g the generator
   * @param name the field name
   * @param value the value, not null
   * @throws IOException if writing fails
   */
  static void writeField(JsonGenerator g, String name, String value) throws IOException {
    g.writeFieldName(name);
    write(g, value);
  }

  /**
   * Writes a string value.
   *
   * @param g the generator
   * @param value the value, not null
   * @throws IOException if writing fails
   */
  static void write(JsonGenerator g, String value) throws IOException {
    if (value.length() >= MIN_LENGTH
        && g instanceof UTF8JsonGenerator
        && g.getCharacterEscapes() == null) {
      // For a string held as Latin-1 (any ASCII string) this is one array copy.
      byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
      if (isPlainAscii(bytes, value)) {
        g.writeRawUTF8String(bytes, 0, bytes.length);
        return;
      }
    }
    g.writeString(value);
  }

  /**
   * Whether {@code bytes}, the ISO-8859-1 encoding of {@code value}, is plain ASCII that JSON
   * does not escape: no byte below 0x20 or above 0x7f, no quote, no backslash. A {@code '?'} is
   * also what the encoder writes for a character it cannot encode, so each one is checked against
   * the string.
   */
  static boolean isPlainAscii(byte[] bytes, String value) {
    int i = 0;
    int words = bytes.length - 7;
    for (; i < words; i += 8) {
      long x = (long) LONGS.get(bytes, i);
      // Borrows may flag the wrong byte but never flag a word without one: the word is then
      // checked byte by byte.
      long flagged =
          (x & HIGHS)
              | ((x - SPACES) & ~x & HIGHS)
              | zeroByte(x ^ QUOTES)
              | zeroByte(x ^ BACKSLASHES)
              | zeroByte(x ^ QUESTION_MARKS);
      if (flagged != 0 && !isPlainAscii(bytes, i, i + 8, value)) {
        return false;
      }
    }
    return isPlainAscii(bytes, i, bytes.length, value);
  }

  private static boolean isPlainAscii(byte[] bytes, int from, int to, String value) {
    for (int i = from; i < to; i++) {
      int b = bytes[i];
      if (b < 0x20 || b == '"' || b == '\\' || (b == '?' && value.charAt(i) != '?')) {
        // A negative b (above 0x7f) is below 0x20 too.
        return false;
      }
    }
    return true;
  }

  /** Non-zero when some byte of {@code v} is zero. */
  private static long zeroByte(long v) {
    return (v - ONES) & ~v & HIGHS;
  }
}
