package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTextTest {

  private static final JsonFactory FACTORY = new JsonFactory();

  /** Characters that take every branch: plain, escaped, '?', non-ASCII, surrogates, DEL. */
  private static final char[] RARE = {
    '"', '\\', '?', '\n', '\t', 0, 0x1f, 0x7f, 0x80, 'é', 0xff, 'ü', '中', 0xd83d, 0xde00, '/',
    0x2028
  };

  /** ASCII that JSON does not escape. */
  private static final String PLAIN =
      "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!-_()[]{}<>=+*&%$#@~`'|^";

  private interface Write {
    void to(JsonGenerator g) throws IOException;
  }

  private static String written(Write write) throws IOException {
    return written(write, null);
  }

  private static String written(Write write, CharacterEscapes escapes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      if (escapes != null) {
        g.setCharacterEscapes(escapes);
      }
      g.writeStartArray();
      write.to(g);
      g.writeEndArray();
    }
    return out.toString(StandardCharsets.ISO_8859_1); // the raw bytes, one char each
  }

  private static String randomText(SplittableRandom random) {
    int length = random.nextInt(200);
    int rare = 1 + random.nextInt(2_000);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(random.nextInt(rare) == 0 ? RARE[random.nextInt(RARE.length)]
          : PLAIN.charAt(random.nextInt(PLAIN.length())));
    }
    return s.toString();
  }

  @Test
  void writesExactlyWhatWriteStringWrites() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    int plainLong = 0;
    for (int round = 0; round < 20_000; round++) {
      String text = randomText(random);
      String expected;
      try {
        expected = written(g -> g.writeString(text));
      } catch (IOException e) {
        // Jackson refuses some lone surrogates; the fast path must refuse them the same way.
        assertThatThrownBy(() -> written(g -> JsonText.write(g, text)))
            .isInstanceOf(e.getClass());
        continue;
      }
      assertThat(written(g -> JsonText.write(g, text))).isEqualTo(expected);
      byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
      if (text.length() >= JsonText.MIN_LENGTH && JsonText.isPlainAscii(latin1, text)) {
        plainLong++;
      }
    }
    // The generator reaches the raw path often, so the comparison above covers it.
    assertThat(plainLong).isGreaterThan(3_000);
  }

  @Test
  void findsEveryCharacterToEscapeInEveryLaneOfAWord() {
    String plain = "x".repeat(40);
    assertThat(JsonText.isPlainAscii(plain.getBytes(StandardCharsets.ISO_8859_1), plain)).isTrue();
    for (char c : new char[] {'"', '\\', '\n', 0, 0x1f, 0x80, 'é', '中', 0xd83d}) {
      for (int at = 0; at < plain.length(); at++) {
        String text = plain.substring(0, at) + c + plain.substring(at + 1);
        assertThat(JsonText.isPlainAscii(text.getBytes(StandardCharsets.ISO_8859_1), text))
            .as("char %04x at %d", (int) c, at)
            .isFalse();
      }
    }
    for (int at = 0; at < plain.length(); at++) {
      String text = plain.substring(0, at) + "?" + plain.substring(at + 1);
      assertThat(JsonText.isPlainAscii(text.getBytes(StandardCharsets.ISO_8859_1), text))
          .isTrue();
    }
  }

  @Test
  void honoursCustomEscapes() throws IOException {
    CharacterEscapes escapeX =
        new CharacterEscapes() {
          private final int[] table = standardAsciiEscapesForJSON();

          {
            table['x'] = CharacterEscapes.ESCAPE_CUSTOM;
          }

          @Override
          public int[] getEscapeCodesForAscii() {
            return table;
          }

          @Override
          public SerializableString getEscapeSequence(int ch) {
            return new SerializedString("X");
          }
        };
    String text = "x".repeat(100);
    assertThat(written(g -> JsonText.write(g, text), escapeX)).isEqualTo("[\"" + "X".repeat(100)
        + "\"]");
  }

  @Test
  void writesIntoTreesThroughWriteString() throws IOException {
    String text = "plain ascii text ".repeat(10);
    TokenBuffer buffer = new TokenBuffer(new ObjectMapper(), false);
    buffer.writeStartObject();
    JsonText.writeField(buffer, "content", text);
    buffer.writeEndObject();
    com.fasterxml.jackson.databind.JsonNode tree = new ObjectMapper().readTree(buffer.asParser());
    assertThat(tree.get("content").asText())
        .isEqualTo(text);
  }
}
