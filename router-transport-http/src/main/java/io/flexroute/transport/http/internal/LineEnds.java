package io.flexroute.transport.http.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import okio.Buffer;

/**
 * Finds the next CR or LF in an Okio buffer eight bytes at a time. Stream events are a few hundred
 * bytes of JSON on one line, so finding where each line ends is a large part of reading a stream;
 * Okio's own search compares one byte at a time.
 *
 * <p>Not thread-safe: one per reader, like the cursor it reuses.
 */
final class LineEnds {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long LFS = ONES * '\n';
  private static final long CRS = ONES * '\r';

  private final Buffer.UnsafeCursor cursor = new Buffer.UnsafeCursor();

  /**
   * The index of the first CR or LF at or after {@code from}.
   *
   * @param buffer the buffer, not changed
   * @param from where to start, at most the buffer's size
   * @return the index, or -1 when the buffer holds none from there
   */
  long find(Buffer buffer, long from) {
    if (from >= buffer.size()) {
      return -1;
    }
    buffer.readUnsafe(cursor);
    try {
      cursor.seek(from);
      do {
        int at = find(cursor.data, cursor.start, cursor.end);
        if (at >= 0) {
          return cursor.offset + (at - cursor.start);
        }
      } while (cursor.next() != -1);
      return -1;
    } finally {
      cursor.close();
    }
  }

  /**
   * The index of the first CR or LF in {@code bytes[from, to)}.
   *
   * @param bytes the array
   * @param from the first index searched
   * @param to the end, exclusive
   * @return the index, or -1
   */
  static int find(byte[] bytes, int from, int to) {
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long word = (long) LONGS.get(bytes, i);
      long found = zeroBytes(word ^ LFS) | zeroBytes(word ^ CRS);
      if (found != 0) {
        // The lowest flagged byte is always a true match (false flags only follow a true one).
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        return i;
      }
    }
    return -1;
  }

  /** The high bit set in every zero byte of {@code x} (and possibly in bytes above one). */
  private static long zeroBytes(long x) {
    return (x - ONES) & ~x & HIGHS;
  }
}
