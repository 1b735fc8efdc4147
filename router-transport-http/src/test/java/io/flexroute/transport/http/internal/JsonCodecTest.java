package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

  private final ObjectMapper mapper = new ObjectMapper();
  private final JsonCodec codec = JsonCodec.copyOf(mapper);

  @Test
  void readsDoublesExactlyAsDoubleParseDoubleDoes() {
    JsonCodec json = JsonCodec.createDefault();
    java.util.SplittableRandom random = new java.util.SplittableRandom(23);
    for (int i = 0; i < 20_000; i++) {
      String number;
      switch (random.nextInt(3)) {
        case 0 -> number = Double.toString(-random.nextDouble() * Math.pow(10, random.nextInt(12)));
        case 1 -> number = Double.toString(Double.longBitsToDouble(random.nextLong()) % 1e300);
        default -> {
          // Long digit strings with exponents: the cases where rounding is hard.
          StringBuilder s = new StringBuilder(random.nextBoolean() ? "-" : "");
          s.append(1 + random.nextInt(9)).append('.');
          int digits = 1 + random.nextInt(25);
          for (int d = 0; d < digits; d++) {
            s.append(random.nextInt(10));
          }
          number = s.append('e').append(random.nextInt(-330, 310)).toString();
        }
      }
      if (number.contains("NaN") || number.contains("Infinity")) {
        continue;
      }
      double parsed = json.parse("[" + number + "]", "test").get(0).doubleValue();
      assertThat(Double.doubleToRawLongBits(parsed))
          .as(number)
          .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(number)));
    }
  }

  @Test
  void valueToTree_givesTheMappersTree_forScalarsAndContainers() {
    List<Object> values =
        Arrays.asList(
            true, false, "text", "", 7, -7, Integer.MAX_VALUE, 1L << 40, Long.MIN_VALUE, 1.5,
            new BigDecimal("0.1"), List.of(1, "a"), Map.of("k", Map.of("n", 2)), null);
    for (Object value : values) {
      assertThat(codec.valueToTree(value))
          .as("%s", value)
          .isEqualTo(value == null ? mapper.nullNode() : mapper.valueToTree(value));
    }
  }

  @Test
  void mergeExtra_writesScalarsAsTheMapperWould() {
    var body = codec.newObject();
    codec.mergeExtra(body, Map.of("ignore_eos", true, "n", 3L, "tag", "x"), java.util.Set.of());

    assertThat(new String(codec.write(body), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"ignore_eos\":true", "\"n\":3", "\"tag\":\"x\"");
  }
}
