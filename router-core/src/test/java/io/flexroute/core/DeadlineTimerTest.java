package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.HealthCheckPolicy;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RetryPolicy;
import io.flexroute.Router;
import io.flexroute.spi.Transport;
import io.flexroute.testkit.fake.FakeTransport;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deadlines fire on time even when sending an abort, a health probe or a load poll blocks the
 * sending thread (as a transport waiting on a contended lock does): that work never runs on the
 * thread that fires deadlines.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadlineTimerTest {

  private final FakeTransport fake = FakeTransport.create();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch blocked = new CountDownLatch(1);

  @AfterEach
  void releaseBlockedThreads() {
    release.countDown();
  }

  /** The fake transport, except that the named methods block their caller until released. */
  private Transport blocking(Set<String> methods) {
    return InterceptedTransport.wrap(
        fake,
        method -> {
          if (methods.contains(method.getName())) {
            blocked.countDown();
            release.await();
          }
        });
  }

  private static GenerateRequest within(Duration timeout) {
    return GenerateRequest.builder().text("x").timeout(timeout).build();
  }

  @Test
  void aBlockingAbortDoesNotDelayOtherDeadlines() throws Exception {
    fake.behavior(FakeTransport.Behavior.HOLD);
    try (Router router =
        Router.builder()
            .transport(blocking(Set.of("abort")))
            .worker("a", "http://a.invalid:1")
            .retry(RetryPolicy.disabled())
            .build()) {
      assertThatThrownBy(() -> router.generate(within(Duration.ofMillis(20))))
          .isInstanceOf(RequestTimeoutException.class);
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      // The abort of the first request is stuck; the second request's deadline still fires.
      CompletableFuture<GenerateResult> second = router.generateAsync(within(Duration.ofMillis(50)));
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RequestTimeoutException.class);
    }
  }

  @Test
  void aBlockingHealthProbeDoesNotDelayDeadlines() throws Exception {
    fake.behavior(FakeTransport.Behavior.HOLD);
    try (Router router =
        Router.builder()
            .transport(blocking(Set.of("checkHealth", "fetchLoad")))
            .worker("a", "http://a.invalid:1")
            .retry(RetryPolicy.disabled())
            .healthChecks(HealthCheckPolicy.builder().interval(Duration.ofMillis(10)).build())
            .loadPolling(Duration.ofMillis(10))
            .build()) {
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<GenerateResult> held = router.generateAsync(within(Duration.ofMillis(50)));
      assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(RequestTimeoutException.class);
    }
  }
}
