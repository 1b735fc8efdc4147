package io.flexroute.radix.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BitsTest {

  @Test
  void unpack_writesEveryBitOfRunsThatCrossWordBoundaries() {
    Random random = new Random(7);
    for (int round = 0; round < 2_000; round++) {
      int len = random.nextInt(400);
      int[] values = runs(random, len);
      // A partial node's mask is longer than what is read from it: bits past len must not leak.
      long[] source = Bits.pack(append(values, runs(random, random.nextInt(130))));
      int dstPos = random.nextInt(5);
      int[] dst = new int[dstPos + len + 3];
      Arrays.fill(dst, 7);

      int[] expected = dst.clone();
      System.arraycopy(values, 0, expected, dstPos, len);

      Bits.unpack(source, len, dst, dstPos);

      assertThat(dst).as("round %d", round).isEqualTo(expected);
    }
  }

  @Test
  void unpack_ofNull_writesZeros() {
    int[] dst = {5, 5, 5, 5};

    Bits.unpack(null, 2, dst, 1);

    assertThat(dst).containsExactly(5, 0, 0, 5);
  }

  @Test
  void unpack_ofAllOnesOverSeveralWords_writesOnes() {
    int[] values = new int[200];
    Arrays.fill(values, 1);
    int[] dst = new int[200];

    Bits.unpack(Bits.pack(values), 200, dst, 0);

    assertThat(dst).containsOnly(1);
  }

  /** 0/1 values in runs of 1 to 150, as prompt and generated tokens alternate in a mask. */
  private static int[] runs(Random random, int len) {
    int[] values = new int[len];
    int bit = random.nextInt(2);
    for (int i = 0; i < len; ) {
      int run = 1 + random.nextInt(random.nextBoolean() ? 3 : 150);
      Arrays.fill(values, i, Math.min(len, i + run), bit);
      i += run;
      bit ^= 1;
    }
    return values;
  }

  private static int[] append(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
