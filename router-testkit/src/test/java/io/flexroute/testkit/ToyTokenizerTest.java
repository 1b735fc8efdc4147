package io.flexroute.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ToyTokenizerTest {

  private final ToyTokenizer tokenizer = new ToyTokenizer();

  @Test
  void split_keepsTheSpaceBeforeAWordAndSplitsEverythingElseByCharacter() {
    assertThat(ToyTokenizer.split("Hello, world!  ok\n42x"))
        .containsExactly("Hello", ",", " world", "!", " ", " ok", "\n", "42x");
    assertThat(ToyTokenizer.split("")).isEmpty();
    assertThat(ToyTokenizer.split("héllo 😀 wörld")).containsExactly("héllo", " ", "😀", " wörld");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "Hello, world!", "  two  spaces ", "tabs\tand\nnewlines", "ünïcödé 😀 🚀!"})
  void decode_returnsTheEncodedText(String text) {
    assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
  }

  @Test
  void encode_givesOneIdPerPieceInTheDocumentedRange() {
    int[] ids = tokenizer.encode("The router routes the request.");

    assertThat(ids).hasSize(ToyTokenizer.split("The router routes the request.").size());
    assertThat(IntStream.of(ids).boxed())
        .allSatisfy(id -> assertThat(id).isBetween(1000, 1000 + (1 << 30) - 1));
  }

  @Test
  void encode_isTheSameAcrossInstances() {
    String text = "Shared prefixes share token ids, across workers and tests.";

    assertThat(new ToyTokenizer().encode(text)).containsExactly(tokenizer.encode(text));
    assertThat(tokenizer.encode(" model")).containsExactly(tokenizer.idOf(" model"));
  }

  static Stream<Arguments> boundaries() {
    return Stream.of(
        Arguments.of("Hello,", " world"),
        Arguments.of("system prompt.", " Then the question"),
        Arguments.of("<|user|>\n", "Hi there"),
        Arguments.of("end with a newline\n", "next"),
        Arguments.of("a", "!"),
        Arguments.of("x:", "y"));
  }

  @ParameterizedTest
  @MethodSource("boundaries")
  void encode_concatenatesWhenTheFirstPartEndsAtAPieceBoundary(String a, String b) {
    int[] joined = tokenizer.encode(a + b);
    int[] first = tokenizer.encode(a);
    int[] second = tokenizer.encode(b);

    assertThat(joined).startsWith(first);
    assertThat(joined).endsWith(second);
    assertThat(joined).hasSize(first.length + second.length);
  }

  @Test
  void encode_doesNotConcatenateInsideAWordOrAfterASpaceBeforeAWord() {
    assertThat(tokenizer.encode("Hello"))
        .isNotEqualTo(concat(tokenizer.encode("Hel"), tokenizer.encode("lo")));
    assertThat(tokenizer.encode("a word"))
        .isNotEqualTo(concat(tokenizer.encode("a "), tokenizer.encode("word")));
  }

  @Test
  void decode_skipsEosAndMarksUnknownIds() {
    int[] ids = concat(tokenizer.encode("known"), new int[] {ToyTokenizer.EOS_TOKEN_ID, 5});

    assertThat(tokenizer.decode(ids)).isEqualTo("known<unk_5>");
    assertThat(new ToyTokenizer().decode(tokenizer.encode("only here"))).contains("<unk_");
  }

  @Test
  void idOf_rejectsTextThatIsNotExactlyOnePiece() {
    assertThatThrownBy(() -> tokenizer.idOf("two words"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tokenizer.idOf("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void name_isToy() {
    assertThat(tokenizer.name()).isEqualTo("toy");
  }

  @Test
  void encode_isConsistentUnderConcurrentUse() throws Exception {
    List<String> texts = new ArrayList<>();
    IntStream.range(0, 500).forEach(i -> texts.add("word" + i + " other" + (i % 7) + "!"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<int[]>>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> texts.stream().map(tokenizer::encode).toList()));
      }
      List<int[]> expected = results.get(0).get();
      for (Future<List<int[]>> result : results) {
        List<int[]> ids = result.get();
        for (int i = 0; i < texts.size(); i++) {
          assertThat(ids.get(i)).containsExactly(expected.get(i));
          assertThat(tokenizer.decode(ids.get(i))).isEqualTo(texts.get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] all = new int[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
