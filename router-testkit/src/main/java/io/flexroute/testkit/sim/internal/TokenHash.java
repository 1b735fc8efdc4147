package io.flexroute.testkit.sim.internal;

/**
 * Chained hashes of token blocks: a block's hash covers its tokens and, through the previous
 * block's hash, every token before them, so equal hashes mean equal prefixes (up to 64-bit
 * collisions). Stateless and thread-safe.
 */
final class TokenHash {

  /** The hash before the first block. */
  static final long SEED = 0x6a09e667f3bcc908L;

  private TokenHash() {}

  static long block(long previous, int[] tokens, int from, int length) {
    long h = previous;
    for (int i = from, end = from + length; i < end; i++) {
      h = (h ^ tokens[i]) * 0x100000001b3L;
    }
    return fmix(h);
  }

  /** MurmurHash3's 64-bit finaliser. */
  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
