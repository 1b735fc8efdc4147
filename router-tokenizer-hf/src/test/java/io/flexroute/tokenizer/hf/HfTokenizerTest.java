package io.flexroute.tokenizer.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests against {@code tiny-bpe/tokenizer.json}: a byte-level BPE tokenizer (GPT-2 byte alphabet,
 * ids 0-255, no normalizer) with 17 merges spelling {@code hello}, {@code " world"}, {@code " tool"}
 * and a few more (ids 256-272), and the special tokens {@code <|im_start|>} (273) and {@code
 * <|im_end|>} (274).
 */
class HfTokenizerTest {

  static final int HELLO = 259;
  static final int SPACE_WORLD = 264;
  static final int IM_START = 273;
  static final int IM_END = 274;

  private HfTokenizer tokenizer;

  static Path fixture() {
    try {
      return Path.of(HfTokenizerTest.class.getResource("/tiny-bpe/tokenizer.json").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void load() {
    tokenizer = HfTokenizer.fromFile(fixture());
  }

  @AfterEach
  void close() {
    tokenizer.close();
  }

  @Test
  void encode_usesTheMerges_withoutSpecialTokensAdded() {
    assertThat(tokenizer.encode("hello world")).containsExactly(HELLO, SPACE_WORLD);
    assertThat(tokenizer.encode("")).isEmpty();
  }

  @Test
  void encode_refusesAnUnpairedSurrogate_andKeepsPairedOnes() {
    assertThatThrownBy(() -> tokenizer.encode("a\uD83D b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate")
        .hasMessageContaining("index 1");
    assertThatThrownBy(() -> tokenizer.encode("end\uDE00"))
        .isInstanceOf(IllegalArgumentException.class);
    String emoji = "a\uD83D\uDE00";
    assertThat(tokenizer.decode(tokenizer.encode(emoji))).isEqualTo(emoji);
  }

  @Test
  void encode_turnsSpecialTokensInTheTextIntoSingleIds_andDecodeKeepsThem() {
    String text = "<|im_start|>hello world<|im_end|>\n";
    int[] ids = tokenizer.encode(text);
    assertThat(ids).containsExactly(IM_START, HELLO, SPACE_WORLD, IM_END, '\n');
    assertThat(tokenizer.decode(ids)).isEqualTo(text);
  }

  @Test
  void encode_isTheConcatenationForTextsSplitAtAWordBoundary() {
    int[] a = tokenizer.encode("<|im_start|>hello");
    int[] b = tokenizer.encode(" world<|im_end|>");
    int[] whole = tokenizer.encode("<|im_start|>hello world<|im_end|>");
    int[] joined = new int[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    assertThat(whole).containsExactly(joined);
  }

  @Test
  void encode_neverTruncates() {
    String text = "hello world ".repeat(2_000);
    int[] ids = tokenizer.encode(text);
    assertThat(ids.length).isGreaterThan(4_000);
    assertThat(tokenizer.decode(ids)).isEqualTo(text);
  }

  @Test
  void multiByteCharacters_areSeveralByteTokens_decodedWholeTogether() {
    int[] ids = tokenizer.encode("a\uD83D\uDE00b"); // a😀b
    assertThat(ids).containsExactly('a', 240, 159, 152, 128, 'b');
    assertThat(tokenizer.decode(ids)).isEqualTo("a\uD83D\uDE00b");
    assertThat(tokenizer.decodeEach(ids))
        .containsExactly("a", "\uFFFD", "\uFFFD", "\uFFFD", "\uFFFD", "b");
  }

  @Test
  void decodeEach_decodesEveryTokenOnItsOwn() {
    assertThat(tokenizer.decodeEach(new int[] {IM_START, HELLO, SPACE_WORLD, IM_END}))
        .containsExactly("<|im_start|>", "hello", " world", "<|im_end|>");
    assertThat(tokenizer.decodeEach(new int[0])).isEmpty();
  }

  @Test
  void decode_rejectsNegativeIds() {
    assertThatThrownBy(() -> tokenizer.decode(new int[] {1, -2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token ids must be >= 0, but id 1 was -2");
  }

  @Test
  void decodeEach_rejectsNegativeIds() {
    assertThatThrownBy(() -> tokenizer.decodeEach(new int[] {1, 2, -3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token ids must be >= 0, but id 2 was -3");
  }

  @Test
  void name_isTheDirectoryName_unlessGiven() {
    assertThat(tokenizer.name()).isEqualTo("hf:tiny-bpe");
    assertThat(tokenizer).hasToString("HfTokenizer{hf:tiny-bpe}");
    try (HfTokenizer named = HfTokenizer.fromFile(fixture(), "tiny")) {
      assertThat(named.name()).isEqualTo("tiny");
    }
  }

  @Test
  void fromStream_readsTheFileContent() throws IOException {
    try (InputStream in = Files.newInputStream(fixture());
        HfTokenizer fromStream = HfTokenizer.fromStream(in, "stream")) {
      assertThat(fromStream.encode("hello world")).containsExactly(HELLO, SPACE_WORLD);
    }
  }

  @Test
  void close_makesLaterCallsFail_andIsIdempotent() {
    HfTokenizer t = HfTokenizer.fromFile(fixture());
    t.close();
    t.close();
    assertThatThrownBy(() -> t.encode("hello"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("tokenizer 'hf:tiny-bpe' is closed");
    assertThatThrownBy(() -> t.decode(new int[] {1})).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.decodeEach(new int[] {1}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void concurrentCalls_agree() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[]>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(pool.submit(() -> tokenizer.encode("<|im_start|>hello world<|im_end|>")));
      }
      for (Future<int[]> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).containsExactly(IM_START, HELLO, SPACE_WORLD, IM_END);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badFiles_areTypedErrorsNamingThePath(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> HfTokenizer.fromFile(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("is not a file");
    Path broken = dir.resolve("tokenizer.json");
    Files.writeString(broken, "{\"model\": 42}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> HfTokenizer.fromFile(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("could not load the tokenizer file " + broken);
    assertThatThrownBy(() -> HfTokenizer.fromFile(fixture(), " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
  }
}
