package io.flexroute.radix.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Packed bit sets in {@code long[]} words, used for loss masks (one bit per token). A {@code null}
 * set means "all bits zero", which is the common case for prompt tokens.
 *
 * <p>Stateless and thread-safe.
 */
public final class Bits {

  private Bits() {}

  /** Number of words needed for {@code bits} bits. */
  public static int words(int bits) {
    return (bits + 63) >>> 6;
  }

  /**
   * Packs a 0/1 array into bits, or returns {@code null} if every value is 0. Values are assumed
   * validated; any non-zero value counts as 1.
   */
  public static long @Nullable [] pack(int[] values) {
    long[] out = new long[words(values.length)];
    long any = 0;
    int i = 0;
    for (int w = 0; w < out.length; w++) {
      long word = 0;
      int end = Math.min(values.length, i + 64);
      for (int b = 0; i < end; i++, b++) {
        word |= (long) (values[i] != 0 ? 1 : 0) << b;
      }
      out[w] = word;
      any |= word;
    }
    return any == 0 ? null : out;
  }

  /** Returns bit {@code i} of a set that may be {@code null} (all zero). */
  public static boolean get(long @Nullable [] bits, int i) {
    return bits != null && (bits[i >>> 6] & (1L << i)) != 0;
  }

  /**
   * Returns bits {@code [from, to)} of {@code src} as a new set starting at bit 0, or {@code null}
   * if they are all zero.
   */
  public static long @Nullable [] slice(long @Nullable [] src, int from, int to) {
    if (src == null || to <= from) {
      return null;
    }
    long[] out = new long[words(to - from)];
    copy(src, from, out, 0, to - from);
    for (long w : out) {
      if (w != 0) {
        return out;
      }
    }
    return null;
  }

  /**
   * ORs {@code len} bits of {@code src} starting at {@code srcPos} into {@code dst} starting at
   * {@code dstPos}. A {@code null} source adds nothing.
   */
  public static void copy(long @Nullable [] src, int srcPos, long[] dst, int dstPos, int len) {
    if (src == null) {
      return;
    }
    int done = 0;
    while (done < len) {
      int n = Math.min(64, len - done);
      long w = read(src, srcPos + done, n);
      if (w != 0) {
        orInto(dst, dstPos + done, w, n);
      }
      done += n;
    }
  }

  /**
   * Writes {@code len} bits of {@code src} (from bit 0) as 0/1 ints into {@code dst} from {@code
   * dstPos}. A {@code null} source writes zeros.
   */
  public static void unpack(long @Nullable [] src, int len, int[] dst, int dstPos) {
    if (src == null) {
      Arrays.fill(dst, dstPos, dstPos + len, 0);
      return;
    }
    // Masks come in long runs (a turn's prompt tokens 0, its generated tokens 1) that cross word
    // boundaries: one fill per run instead of one or more per word.
    int from = 0;
    while (from < len) {
      int bit = (int) (src[from >>> 6] >>> from) & 1;
      int end = runEnd(src, from, bit, len);
      Arrays.fill(dst, dstPos + from, dstPos + end, bit);
      from = end;
    }
  }

  /** The first index after {@code from} whose bit differs from {@code bit}, or {@code len}. */
  private static int runEnd(long[] src, int from, int bit, int len) {
    int wi = from >>> 6;
    long flip = -(long) bit; // all ones when looking for the end of a run of ones
    long w = (src[wi] ^ flip) & (-1L << from);
    while (w == 0) {
      wi++;
      if (wi >= words(len)) {
        return len;
      }
      w = src[wi] ^ flip;
    }
    return Math.min(len, (wi << 6) + Long.numberOfTrailingZeros(w));
  }

  private static long read(long[] a, int pos, int n) {
    int wi = pos >>> 6;
    int off = pos & 63;
    long w = a[wi] >>> off;
    if (off != 0 && off + n > 64) {
      w |= a[wi + 1] << (64 - off);
    }
    return n == 64 ? w : w & ((1L << n) - 1);
  }

  private static void orInto(long[] a, int pos, long w, int n) {
    int wi = pos >>> 6;
    int off = pos & 63;
    a[wi] |= w << off;
    if (off != 0 && off + n > 64) {
      a[wi + 1] |= w >>> (64 - off);
    }
  }
}
