package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.failure;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RouterClosedException;
import io.flexroute.Worker;
import io.flexroute.spi.Transport;
import io.flexroute.spi.TransportProvider;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class HttpTransportBuilderTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private Worker worker() {
    return Worker.of("w1", server.url("/").toString());
  }

  @Test
  void builder_rejectsBadSettingsNamingTheField() {
    HttpTransport.Builder b = HttpTransport.builder();
    assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout must be from 1 ms to 2147483647 ms, but was PT0S");
    // OkHttp's own limits, refused here with the setting's name instead of at build().
    assertThatThrownBy(() -> b.connectTimeout(Duration.ofNanos(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> b.readTimeout(Duration.ofDays(30)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readTimeout must be from 1 ms");
    assertThatThrownBy(() -> b.readTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readTimeout");
    assertThatThrownBy(() -> b.writeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout");
    assertThatThrownBy(() -> b.maxRequests(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRequests must be >= 1, but was 0");
    assertThatThrownBy(() -> b.maxRequestsPerHost(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRequestsPerHost");
    assertThatThrownBy(() -> b.connectionPool(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxIdleConnections");
    assertThatThrownBy(() -> b.connectionPool(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepAlive");
    assertThatThrownBy(() -> b.connectTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("connectTimeout");
    assertThatThrownBy(() -> b.okHttpClient(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.objectMapper(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void builder_refusesClientSettingsTogetherWithAGivenClient() {
    OkHttpClient client = new OkHttpClient();
    assertThatThrownBy(
            () ->
                HttpTransport.builder()
                    .okHttpClient(client)
                    .readTimeout(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("readTimeout");
  }

  @Test
  void builder_appliesSettingsAndDefaultsToItsOwnClient() {
    try (HttpTransport defaults = HttpTransport.create();
        HttpTransport custom =
            HttpTransport.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(3))
                .writeTimeout(Duration.ofSeconds(4))
                .maxRequests(10)
                .maxRequestsPerHost(5)
                .connectionPool(3, Duration.ofSeconds(9))
                .build()) {
      OkHttpClient d = defaults.okHttpClient();
      assertThat(d.connectTimeoutMillis())
          .isEqualTo(HttpTransport.DEFAULT_CONNECT_TIMEOUT.toMillis());
      assertThat(d.readTimeoutMillis()).isEqualTo(HttpTransport.DEFAULT_READ_TIMEOUT.toMillis());
      assertThat(d.writeTimeoutMillis()).isEqualTo(HttpTransport.DEFAULT_WRITE_TIMEOUT.toMillis());
      assertThat(d.callTimeoutMillis()).isZero();
      assertThat(d.dispatcher().getMaxRequests()).isEqualTo(HttpTransport.DEFAULT_MAX_REQUESTS);
      assertThat(d.dispatcher().getMaxRequestsPerHost())
          .isEqualTo(HttpTransport.DEFAULT_MAX_REQUESTS_PER_HOST);

      OkHttpClient c = custom.okHttpClient();
      assertThat(c.connectTimeoutMillis()).isEqualTo(2000);
      assertThat(c.readTimeoutMillis()).isEqualTo(3000);
      assertThat(c.writeTimeoutMillis()).isEqualTo(4000);
      assertThat(c.dispatcher().getMaxRequests()).isEqualTo(10);
      assertThat(c.dispatcher().getMaxRequestsPerHost()).isEqualTo(5);
    }
  }

  @Test
  void objectMapper_isCopiedNotMutated() throws Exception {
    ObjectMapper user = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    assertThat(user.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)).isTrue();

    try (HttpTransport transport = HttpTransport.builder().objectMapper(user).build()) {
      // Later changes to the caller's mapper do not reach the transport's copy.
      user.disable(SerializationFeature.INDENT_OUTPUT);
      server.enqueue(
          json(
              "{\"text\":\"a\",\"unknown\":{\"deep\":[1]},\"meta_info\":{\"finish_reason\":"
                  + "{\"type\":\"stop\"},\"new_field\":1}}"));

      GenerateResult result =
          await(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")));

      assertThat(result.text()).isEqualTo("a");
      assertThat(take(server).getBody().utf8()).contains("\n"); // the copy indents
    }
    assertThat(user.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)).isTrue();
    assertThat(user.isEnabled(SerializationFeature.INDENT_OUTPUT)).isFalse();
  }

  @Test
  void close_leavesAGivenClientAlone() {
    OkHttpClient client = new OkHttpClient();
    try {
      HttpTransport transport = HttpTransport.builder().okHttpClient(client).build();
      assertThat(transport.okHttpClient()).isSameAs(client);
      transport.close();

      assertThat(client.dispatcher().executorService().isShutdown()).isFalse();
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Test
  void close_shutsDownItsOwnClientAndRefusesNewCalls() {
    HttpTransport transport = HttpTransport.create();
    transport.close();
    transport.close(); // idempotent

    assertThat(transport.okHttpClient().dispatcher().executorService().isShutdown()).isTrue();
    assertThat(failure(transport.generate(worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r"))))
        .isInstanceOf(RouterClosedException.class);
    assertThatThrownBy(
            () ->
                transport.generateStream(
                    worker(), GenerateRequest.ofText("hi"), FakeCallContext.of("r")))
        .isInstanceOf(RouterClosedException.class);
  }

  @Test
  void supports_httpAndHttpsOnly() {
    try (HttpTransport transport = HttpTransport.create()) {
      assertThat(transport.name()).isEqualTo("http");
      assertThat(transport.supports(Worker.of("a", "http://h:1"))).isTrue();
      assertThat(transport.supports(Worker.of("b", "HTTPS://h"))).isTrue();
      assertThat(transport.supports(Worker.of("c", "grpc://h:2"))).isFalse();
      assertThat(transport.supports(Worker.of("d", "grpcs://h:2"))).isFalse();
    }
  }

  @Test
  void provider_isFoundByServiceLoaderAndCreatesTheTransport() {
    List<TransportProvider> providers =
        ServiceLoader.load(TransportProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p instanceof HttpTransportProvider)
            .toList();

    assertThat(providers).hasSize(1);
    assertThat(providers.get(0).name()).isEqualTo("http");
    try (Transport transport = providers.get(0).create()) {
      assertThat(transport).isInstanceOf(HttpTransport.class);
      assertThat(transport.name()).isEqualTo("http");
    }
  }
}
