package io.flexroute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerTest {

  @Test
  void toString_neverShowsTheApiKeyOrHeaderValues() {
    Worker w =
        Worker.builder("a", "http://h:1")
            .apiKey("sk-very-secret")
            .header("X-Secret", "hidden-value")
            .build();
    assertThat(w.toString())
        .doesNotContain("sk-very-secret")
        .doesNotContain("hidden-value")
        .contains("apiKey=***")
        .contains("X-Secret");
  }

  @Test
  void apiKey_acceptsOnlyVisibleAscii_andTheErrorNeverShowsTheKey() {
    String[] bad = {"sk-\u00a0pasted", "sk-\u201cquoted\u201d", "sk-\u043a", "a b"};
    for (String key : bad) {
      assertThatThrownBy(() -> Worker.builder("a", "http://h:1").apiKey(key))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("visible ASCII")
          .hasMessageNotContaining(key);
    }
    assertThat(Worker.builder("a", "http://h:1").apiKey("sk-AZaz09_-.~+/=").build().apiKey())
        .isEqualTo("sk-AZaz09_-.~+/=");
  }

  @Test
  void baseUrl_isNormalised() {
    Worker w = Worker.of("a", " HTTP://Host:30000/ ");
    assertThat(w.baseUrl().toString()).isEqualTo("http://Host:30000");
    assertThat(w.scheme()).isEqualTo("http");
    assertThat(Worker.of("g", "grpc://h:5").scheme()).isEqualTo("grpc");
  }

  @Test
  void serves_emptyModelSetMeansAny() {
    assertThat(Worker.of("a", "http://h:1").serves("anything")).isTrue();
    Worker qwen = Worker.builder("a", "http://h:1").model("qwen").build();
    assertThat(qwen.serves("qwen")).isTrue();
    assertThat(qwen.serves("llama")).isFalse();
    assertThat(qwen.serves(null)).isTrue();
  }

  @Test
  void toBuilder_roundTrips() {
    Worker w =
        Worker.builder("a", "http://h:1")
            .flavor(ApiFlavor.VLLM)
            .weight(3)
            .model("m")
            .role(WorkerRole.DECODE)
            .group("g")
            .priority(2)
            .apiKey("k")
            .header("H", "v")
            .build();
    assertThat(w.toBuilder().build()).isEqualTo(w);
  }

  @Test
  void headerValidation() {
    assertThatThrownBy(() -> Worker.builder("a", "http://h:1").header("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header name");
    assertThatThrownBy(() -> Worker.builder("a", "http://h:1").header("H", "a\r\nb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line breaks");
  }
}
