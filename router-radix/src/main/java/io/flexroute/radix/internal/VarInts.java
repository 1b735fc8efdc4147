package io.flexroute.radix.internal;

/**
 * LEB128 variable-length encoding of non-negative ints, used to store the text length of every
 * token of a node in about one byte per token.
 *
 * <p>Stateless and thread-safe.
 */
final class VarInts {

  private VarInts() {}

  /** The number of bytes {@code value} takes. */
  static int size(int value) {
    int n = 1;
    while ((value & ~0x7F) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /**
   * Encodes the token text lengths {@code ends[i] - ends[i - 1]} for {@code i} in {@code [from,
   * to)}, where the end before {@code from} is {@code base}.
   */
  static byte[] encodeLengths(int[] ends, int from, int to, int base) {
    // Fast path: every length fits in one byte, as almost every token's does.
    byte[] out = new byte[to - from];
    int prev = base;
    for (int i = from; i < to; i++) {
      int v = ends[i] - prev;
      if ((v & ~0x7F) != 0) {
        return encodeLengthsSlow(ends, from, to, base);
      }
      out[i - from] = (byte) v;
      prev = ends[i];
    }
    return out;
  }

  private static byte[] encodeLengthsSlow(int[] ends, int from, int to, int base) {
    int size = 0;
    int prev = base;
    for (int i = from; i < to; i++) {
      size += size(ends[i] - prev);
      prev = ends[i];
    }
    byte[] out = new byte[size];
    int pos = 0;
    prev = base;
    for (int i = from; i < to; i++) {
      int v = ends[i] - prev;
      prev = ends[i];
      while ((v & ~0x7F) != 0) {
        out[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out[pos++] = (byte) v;
    }
    return out;
  }

  /** The byte offset at which the {@code index}-th value starts. */
  static int offsetOf(byte[] data, int index) {
    int pos = 0;
    for (int i = 0; i < index; i++) {
      while ((data[pos++] & 0x80) != 0) {
        // continuation byte
      }
    }
    return pos;
  }

  /** Decodes the value at {@code pos}; see {@link #next(byte[], int)} for the following offset. */
  static int valueAt(byte[] data, int pos) {
    int v = 0;
    int shift = 0;
    byte b;
    do {
      b = data[pos++];
      v |= (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return v;
  }

  /** The offset just after the value that starts at {@code pos}. */
  static int next(byte[] data, int pos) {
    while ((data[pos++] & 0x80) != 0) {
      // continuation byte
    }
    return pos;
  }

  /** The number of values encoded in {@code data}. */
  static int count(byte[] data) {
    int n = 0;
    for (byte b : data) {
      if ((b & 0x80) == 0) {
        n++;
      }
    }
    return n;
  }
}
