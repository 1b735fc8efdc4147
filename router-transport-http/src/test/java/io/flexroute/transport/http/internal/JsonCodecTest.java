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
