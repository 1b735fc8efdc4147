package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.HealthCheckPolicy;
import io.flexroute.Router;
import io.flexroute.Worker;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.Transport;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Health probes and load polls carry the worker's own headers, as every request to it does: a
 * gateway in front of the worker may need its key on them too.
 */
class BackgroundCallHeadersTest {

  @Test
  void probesAndLoadPollsSendTheWorkersHeaders() {
    FakeTransport fake = FakeTransport.create().load("a", new WorkerLoad(0, 0, 0.1, 0));
    Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
    Transport recording =
        InterceptedTransport.wrapWithArgs(
            fake,
            (method, args) -> {
              for (Object arg : args == null ? new Object[0] : args) {
                if (arg instanceof CallContext c) {
                  seen.put(method.getName(), c.headers());
                }
              }
            });
    try (Router router =
        Router.builder()
            .transport(recording)
            .worker(Worker.builder("a", "http://a:1").header("X-Gateway-Key", "k-123").build())
            .healthChecks(HealthCheckPolicy.builder().interval(Duration.ofMillis(10)).build())
            .loadPolling(Duration.ofMillis(10))
            .build()) {
      Polling.await(() -> seen.containsKey("checkHealth") && seen.containsKey("fetchLoad"));

      assertThat(seen.get("checkHealth")).containsEntry("X-Gateway-Key", "k-123");
      assertThat(seen.get("fetchLoad")).containsEntry("X-Gateway-Key", "k-123");
    }
  }
}
