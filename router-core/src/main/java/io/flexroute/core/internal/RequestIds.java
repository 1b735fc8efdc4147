package io.flexroute.core.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates request ids: 32 lowercase hex characters (128 random bits), fixed length so that no id
 * is a prefix of another (SGLang aborts requests by id prefix).
 */
final class RequestIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = random.nextLong();
    long lo = random.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
