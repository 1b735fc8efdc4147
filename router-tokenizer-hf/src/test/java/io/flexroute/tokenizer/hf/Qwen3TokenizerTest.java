package io.flexroute.tokenizer.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Optional checks against a real Qwen3 {@code tokenizer.json}, skipped when the file is absent. The
 * path comes from the system property {@code flexroute.qwen3.tokenizer}, by default {@code
 * ../shared/data/tokenizers/qwen3/tokenizer.json} beside the checkout (the team's shared data).
 */
class Qwen3TokenizerTest {

  private static final int IM_START = 151644;
  private static final int IM_END = 151645;

  private static HfTokenizer qwen;

  @BeforeAll
  static void load() {
    Path path =
        Path.of(
            System.getProperty(
                "flexroute.qwen3.tokenizer", "../../shared/data/tokenizers/qwen3/tokenizer.json"));
    assumeTrue(Files.isRegularFile(path), "no Qwen3 tokenizer at " + path.toAbsolutePath());
    qwen = HfTokenizer.fromFile(path);
  }

  @AfterAll
  static void close() {
    if (qwen != null) {
      qwen.close();
    }
  }

  @Test
  void chatText_roundTrips_withSpecialTokensAsSingleIds() {
    String text = "<|im_start|>user\nHello world \uD83D\uDE00 \u4F60\u597D<|im_end|>\n";
    int[] ids = qwen.encode(text);
    assertThat(ids[0]).isEqualTo(IM_START);
    assertThat(ids).contains(IM_END);
    assertThat(qwen.decode(ids)).isEqualTo(text);
    assertThat(qwen.name()).isEqualTo("hf:qwen3");
  }

  @Test
  void decodeEach_piecesSpellTheText() {
    String text = "<|im_start|>assistant\nThe answer is 42.<|im_end|>";
    int[] ids = qwen.encode(text);
    List<String> pieces = qwen.decodeEach(ids);
    assertThat(String.join("", pieces)).isEqualTo(text);
    assertThat(pieces.get(0)).isEqualTo("<|im_start|>");
  }
}
