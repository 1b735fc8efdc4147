package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class WorkerUrlsTest {

  private final WorkerUrls urls = new WorkerUrls();

  @Test
  void resolvesThePathBelowTheBase_andReusesTheParsedUrl() {
    URI base = URI.create("http://w1:30000/prefix");

    HttpUrl first = urls.resolve(base, "/generate");
    HttpUrl again = urls.resolve(URI.create("http://w1:30000/prefix"), "/generate");

    assertThat(first).isEqualTo(HttpUrl.get("http://w1:30000/prefix/generate"));
    assertThat(again).isSameAs(first);
    assertThat(urls.resolve(base, "/metrics?x=1").toString())
        .isEqualTo("http://w1:30000/prefix/metrics?x=1");
  }

  @Test
  void aBaseThatIsNotAnHttpUrl_resolvesToNull_andIsNotCached() {
    assertThat(urls.resolve(URI.create("ftp://w1"), "/generate")).isNull();
    assertThat(urls.size()).isZero();
  }

  @Test
  void staysBounded_whenWorkersComeAndGo() {
    for (int i = 0; i < WorkerUrls.MAX_BASES * 2 + 10; i++) {
      assertThat(urls.resolve(URI.create("http://w" + i + ":1"), "/generate")).isNotNull();
    }
    assertThat(urls.size()).isLessThanOrEqualTo(WorkerUrls.MAX_BASES);
    URI base = URI.create("http://one:1");
    for (int i = 0; i < WorkerUrls.MAX_PATHS * 3; i++) {
      assertThat(urls.resolve(base, "/p" + i).encodedPath()).isEqualTo("/p" + i);
    }
  }
}
