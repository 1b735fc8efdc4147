package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class LineEndsTest {

  private static int naive(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        return i;
      }
    }
    return -1;
  }

  @Test
  void findsTheFirstCrOrLfAsAByteLoopDoes() {
    SplittableRandom random = new SplittableRandom(3);
    byte[] alphabet = {'\n', '\r', 'a', 0, (byte) 0x8A, (byte) 0x8D, 0x0B, 0x0C, 0x0E, (byte) 0xFF};
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      int rare = 1 + random.nextInt(30);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextInt(rare) == 0
            ? alphabet[random.nextInt(2)]
            : alphabet[2 + random.nextInt(alphabet.length - 2)];
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
      int to = from + random.nextInt(bytes.length - from + 1);
      assertThat(LineEnds.find(bytes, from, to)).isEqualTo(naive(bytes, from, to));
    }
  }

  @Test
  void searchesAcrossTheBuffersSegments() {
    // Several writes of uneven sizes, so that segment boundaries fall at odd places.
    Buffer buffer = new Buffer();
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      String part = "x".repeat(5_000 + 1_111 * i) + (i % 2 == 0 ? "\n" : "\r");
      buffer.writeUtf8(part);
      all.append(part);
    }
    byte[] bytes = all.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    LineEnds lineEnds = new LineEnds();
    for (long from = 0; from <= bytes.length; from += 997) {
      assertThat(lineEnds.find(buffer, from)).isEqualTo(naive(bytes, (int) from, bytes.length));
    }
    assertThat(lineEnds.find(buffer, bytes.length - 1)).isEqualTo(bytes.length - 1);
    assertThat(lineEnds.find(buffer, bytes.length)).isEqualTo(-1);
    assertThat(buffer.size()).isEqualTo(bytes.length); // the search reads without consuming
  }
}
