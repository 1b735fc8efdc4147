package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.CircuitBreakerPolicy;
import io.flexroute.spi.BreakerState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CircuitBreakerOrderTest {

  @Test
  void transitionsMadeOnTwoThreadsAreReportedInTheOrderTheyWereMade() throws Exception {
    List<BreakerState> reported = new CopyOnWriteArrayList<>();
    CountDownLatch firstReportStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstReport = new CountDownLatch(1);
    CircuitBreaker breaker =
        new CircuitBreaker(
            CircuitBreakerPolicy.builder().failureThreshold(1).build(),
            (previous, current, openNanos) -> {
              if (current == BreakerState.OPEN && firstReportStarted.getCount() != 0) {
                // The thread that opened the breaker is slow to report it.
                firstReportStarted.countDown();
                await(releaseFirstReport);
              }
              reported.add(current);
            });

    Thread opener = new Thread(() -> breaker.onResult(CircuitBreaker.CLOSED_PERMIT, true, false));
    opener.start();
    assertThat(firstReportStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);

    // Meanwhile the timer ends the open period: this change comes second and must be told second,
    // by the thread already reporting, without this thread waiting for it.
    breaker.openPeriodEnded();
    assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
    assertThat(reported).isEmpty();

    releaseFirstReport.countDown();
    opener.join(10_000);
    assertThat(opener.isAlive()).isFalse();
    assertThat(reported).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN);
  }

  @Test
  void aThrowingReportDoesNotStopTheOnesBehindIt() {
    List<BreakerState> reported = new CopyOnWriteArrayList<>();
    CircuitBreaker breaker =
        new CircuitBreaker(
            CircuitBreakerPolicy.builder().failureThreshold(1).build(),
            (previous, current, openNanos) -> {
              reported.add(current);
              if (current == BreakerState.OPEN) {
                throw new IllegalStateException("listener bug");
              }
            });

    breaker.onResult(CircuitBreaker.CLOSED_PERMIT, true, false);
    breaker.openPeriodEnded();

    assertThat(reported).containsExactly(BreakerState.OPEN, BreakerState.HALF_OPEN);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
