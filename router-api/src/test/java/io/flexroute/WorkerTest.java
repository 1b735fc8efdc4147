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

  @Test
  void aUrlWithCredentialsIsRefusedWithoutQuotingThem() {
    assertThatThrownBy(() -> Worker.of("w", "https://user:s3cret@host:8443"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("credentials")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> Worker.of("w", "http://h:1/?api_key=SECRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query")
        .hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> Worker.of("w", "ftp://user:SECRET@h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ftp'")
        .hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> Worker.of("w", "http://h:1/a b?key=SECRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed")
        .hasMessageNotContaining("SECRET");
  }

  @Test
  void aPortOutsideItsRangeIsRefused() {
    assertThatThrownBy(() -> Worker.of("w", "http://10.0.0.5:300000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port 300000");
    assertThat(Worker.of("w", "http://10.0.0.5:65535").baseUrl().getPort()).isEqualTo(65535);
  }

  @Test
  void headerNamesAreCaseInsensitive_theLastSpellingWins() {
    Worker w =
        Worker.builder("w", "http://h:1").header("X-Api-Key", "old").header("x-api-key", "new")
            .build();
    assertThat(w.headers()).containsExactly(java.util.Map.entry("x-api-key", "new"));
    GenerateRequest r =
        GenerateRequest.builder().text("hi").header("X-Trace", "1").header("x-trace", "2").build();
    assertThat(r.headers()).containsExactly(java.util.Map.entry("x-trace", "2"));
  }
}
