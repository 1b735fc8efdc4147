package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.Router;
import io.flexroute.transport.http.HttpTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The snippets of docs/transports.md. */
class TransportSnippets {

  @Test
  void httpTransport() {
    // tag::http-transport[]
    HttpTransport transport = HttpTransport.builder()
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofMinutes(10))
        .build();
    // end::http-transport[]
    try (transport;
        Router router =
            Router.builder().worker("a", "http://127.0.0.1:9").transport(transport).build()) {
      assertThat(router.isClosed()).isFalse();
    }
  }
}
