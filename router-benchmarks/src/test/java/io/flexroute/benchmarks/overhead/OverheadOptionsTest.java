package io.flexroute.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverheadOptionsTest {

  @Test
  void hasDocumentedDefaults() {
    OverheadOptions o = OverheadOptions.parse(new String[] {"--workers=http://a:1,http://b:2"});

    assertThat(o.workerUrls()).containsExactly("http://a:1", "http://b:2");
    assertThat(o.proxyUrl()).isNull();
    assertThat(o.proxyLabel()).isEqualTo("nginx");
    assertThat(o.concurrencies()).containsExactly(1, 8, 32);
    assertThat(o.modes()).containsExactly("plain", "stream");
    assertThat(o.requests()).isEqualTo(64_000);
    assertThat(o.rounds()).isEqualTo(16);
    assertThat(o.maxTokens()).isEqualTo(32);
    assertThat(o.control()).isTrue();
    assertThat(o.out()).isEqualTo(Path.of("target/overhead"));
    assertThat(o.doc()).isNull();
  }

  @Test
  void readsEveryOption() {
    OverheadOptions o =
        OverheadOptions.parse(
            new String[] {
              "--workers=http://a:1", "--proxy=http://p:3", "--proxy-pid=42", "--worker-pid=43",
              "--concurrency=2,4", "--modes=stream", "--requests=10", "--rounds=2",
              "--control=false", "--doc=docs/x.md", "--note=hello"
            });

    assertThat(o.proxyUrl()).isEqualTo("http://p:3");
    assertThat(o.proxyPid()).isEqualTo(42L);
    assertThat(o.workerPid()).isEqualTo(43L);
    assertThat(o.concurrencies()).isEqualTo(List.of(2, 4));
    assertThat(o.modes()).containsExactly("stream");
    assertThat(o.control()).isFalse();
    assertThat(o.doc()).isEqualTo(Path.of("docs/x.md"));
    assertThat(o.note()).isEqualTo("hello");
  }

  @Test
  void namesTheBadOption() {
    assertThatThrownBy(() -> OverheadOptions.parse(new String[] {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--workers");
    assertThatThrownBy(() -> OverheadOptions.parse(new String[] {"--workers=x", "--colour=red"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--colour");
    assertThatThrownBy(() -> OverheadOptions.parse(new String[] {"--workers=x", "--modes=batch"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--modes");
    assertThatThrownBy(() -> OverheadOptions.parse(new String[] {"--workers=x", "--rounds=0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--rounds");
    assertThatThrownBy(
            () -> OverheadOptions.parse(new String[] {"--workers=x", "--concurrency=0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--concurrency");
  }
}
