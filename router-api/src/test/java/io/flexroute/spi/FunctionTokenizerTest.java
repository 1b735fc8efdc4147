package io.flexroute.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FunctionTokenizerTest {

  /** One token per UTF-8 byte: a complete, reversible tokenizer in two lambdas. */
  private static final Tokenizer BYTES =
      Tokenizer.of(
          "bytes",
          text -> {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) {
              ids[i] = b[i] & 0xff;
            }
            return ids;
          },
          ids -> {
            byte[] b = new byte[ids.length];
            for (int i = 0; i < ids.length; i++) {
              b[i] = (byte) ids[i];
            }
            return new String(b, StandardCharsets.UTF_8);
          });

  @Test
  void encodeAndDecode_roundTrip() {
    int[] ids = BYTES.encode("hé!");
    assertThat(ids).containsExactly('h', 0xc3, 0xa9, '!');
    assertThat(BYTES.decode(ids)).isEqualTo("hé!");
    assertThat(BYTES.encode("")).isEmpty();
    assertThat(BYTES.name()).isEqualTo("bytes");
    assertThat(BYTES).hasToString("Tokenizer{bytes}");
  }

  @Test
  void decodeEach_decodesEveryTokenOnItsOwn() {
    List<String> pieces = BYTES.decodeEach(new int[] {'a', 'b', 0xc3});
    assertThat(pieces).containsExactly("a", "b", "\uFFFD");
    assertThatThrownBy(() -> pieces.add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void of_withoutName_isNamedFunction() {
    Tokenizer t = Tokenizer.of(text -> new int[] {text.length()}, ids -> "x");
    assertThat(t.name()).isEqualTo("function");
    assertThat(t.encode("abc")).containsExactly(3);
  }

  @Test
  void encode_copiesTheFunctionsArray() {
    int[] shared = {1, 2, 3};
    Tokenizer t = Tokenizer.of(text -> shared, ids -> "");
    int[] ids = t.encode("x");
    ids[0] = 99;
    assertThat(shared).containsExactly(1, 2, 3);
  }

  @Test
  void decode_passesACopyToTheFunction() {
    AtomicInteger seen = new AtomicInteger();
    Tokenizer t =
        Tokenizer.of(
            text -> new int[0],
            ids -> {
              seen.set(ids[0]);
              ids[0] = -7;
              return "ok";
            });
    int[] mine = {5};
    assertThat(t.decode(mine)).isEqualTo("ok");
    assertThat(mine).containsExactly(5);
    assertThat(seen).hasValue(5);
  }

  @Test
  void badAnswers_areTypedErrorsNamingTheTokenizer() {
    Tokenizer nulls = Tokenizer.of("broken", text -> null, ids -> null);
    assertThatThrownBy(() -> nulls.encode("abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'broken'")
        .hasMessageContaining("returned null")
        .hasMessageNotContaining("abc");
    assertThatThrownBy(() -> nulls.decode(new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("decode function of tokenizer 'broken' returned null");
    Tokenizer negative = Tokenizer.of("neg", text -> new int[] {4, -1}, ids -> "");
    assertThatThrownBy(() -> negative.encode("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative id -1 at index 1");
  }

  @Test
  void functionExceptions_passThrough() {
    Tokenizer t =
        Tokenizer.of(
            text -> {
              throw new IllegalStateException("boom");
            },
            ids -> "");
    assertThatThrownBy(() -> t.encode("x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void of_rejectsBadArguments() {
    assertThatThrownBy(() -> Tokenizer.of(" ", text -> new int[0], ids -> ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name must not be blank");
    assertThatThrownBy(() -> Tokenizer.of(null, ids -> ""))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("encode");
    assertThatThrownBy(() -> Tokenizer.of(text -> new int[0], null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("decode");
  }
}
