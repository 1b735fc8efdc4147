package io.flexroute.radix.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.spi.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenPiecesTest {

  private final AtomicInteger decodeEachCalls = new AtomicInteger();
  private final AtomicInteger decodeCalls = new AtomicInteger();

  /** One token per UTF-8 byte, counting its calls. */
  private final Tokenizer bytes =
      new Tokenizer() {
        @Override
        public int[] encode(String text) {
          byte[] b = text.getBytes(StandardCharsets.UTF_8);
          int[] ids = new int[b.length];
          for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xff;
          }
          return ids;
        }

        @Override
        public String decode(int[] ids) {
          decodeCalls.incrementAndGet();
          byte[] b = new byte[ids.length];
          for (int i = 0; i < ids.length; i++) {
            b[i] = (byte) ids[i];
          }
          return new String(b, StandardCharsets.UTF_8);
        }

        @Override
        public List<String> decodeEach(int[] ids) {
          decodeEachCalls.incrementAndGet();
          return Tokenizer.super.decodeEach(ids);
        }
      };

  private final TokenPieces pieces = new TokenPieces(bytes, 1000);

  @Test
  void align_givesEveryTokenOfACharacterTheCharactersEnd() {
    String text = "a\u00e9\uD83D\uDE00b"; // a é 😀 b: 1 + 2 + 4 + 1 bytes
    assertThat(pieces.align(text, bytes.encode(text))).containsExactly(1, 2, 2, 4, 4, 4, 4, 5);
  }

  @Test
  void align_returnsNullWhenThePiecesDoNotSpellTheText() {
    assertThat(pieces.align("abc", bytes.encode("abd"))).isNull();
    assertThat(pieces.align("abcd", bytes.encode("abc"))).isNull();
    assertThat(pieces.align("", new int[0])).isEmpty();
    assertThat(pieces.align("a", new int[0])).isNull();
  }

  @Test
  void decode_spellsTheText_evenWhenItEndsInsideACharacter() {
    int[] ids = bytes.encode("x\u00e9");
    TokenPieces.Decoded whole = pieces.decode(ids);
    assertThat(whole.text()).isEqualTo("x\u00e9");
    assertThat(whole.ends()).containsExactly(1, 2, 2);
    int[] cut = {ids[0], ids[1]}; // "x" and the first byte of é
    TokenPieces.Decoded partial = pieces.decode(cut);
    assertThat(partial.text()).isEqualTo("x\uFFFD");
    assertThat(partial.ends()).containsExactly(1, 2);
  }

  @Test
  void singlePieces_areAskedForOnce() {
    pieces.decode(bytes.encode("abcabc"));
    pieces.decode(bytes.encode("cab"));
    pieces.align("bca", bytes.encode("bca"));
    assertThat(decodeEachCalls).hasValue(1);
  }

  @Test
  void groups_areRemembered() {
    pieces.align("\u00e9\u00e9", bytes.encode("\u00e9\u00e9"));
    int afterFirst = decodeCalls.get();
    pieces.align("\u00e9", bytes.encode("\u00e9"));
    assertThat(decodeCalls.get()).isEqualTo(afterFirst);
  }
}
