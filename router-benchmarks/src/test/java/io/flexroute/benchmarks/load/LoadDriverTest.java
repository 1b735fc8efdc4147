package io.flexroute.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadDriverTest {

  @Test
  void sendsEverySequenceNumberOnceAndRecordsEveryLatency() throws Exception {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();

    LoadResult result =
        LoadDriver.withConcurrency(4)
            .run(1_000, (i, clock) -> {
              if (!seen.add(i)) {
                duplicates.incrementAndGet();
              }
            });

    assertThat(seen).hasSize(1_000);
    assertThat(seen).allMatch(i -> i >= 0 && i < 1_000);
    assertThat(duplicates).hasValue(0);
    assertThat(result.requests()).isEqualTo(1_000);
    assertThat(result.latency().getTotalCount()).isEqualTo(1_000);
    assertThat(result.firstChunk().getTotalCount()).isZero();
    assertThat(result.wallNanos()).isPositive();
  }

  @Test
  void keepsTheGivenNumberOfRequestsInFlight() throws Exception {
    CountDownLatch allInFlight = new CountDownLatch(3);
    AtomicInteger notConcurrent = new AtomicInteger();

    LoadDriver.withConcurrency(3)
        .run(3, (i, clock) -> {
          allInFlight.countDown();
          // Each of the three requests waits for the other two to have started.
          if (!allInFlight.await(10, TimeUnit.SECONDS)) {
            notConcurrent.incrementAndGet();
          }
        });

    assertThat(notConcurrent).hasValue(0);
  }

  @Test
  void recordsTheFirstChunkOncePerRequest() throws Exception {
    LoadResult result =
        LoadDriver.withConcurrency(2)
            .run(50, (i, clock) -> {
              if (i % 2 == 0) {
                clock.firstChunk();
                clock.firstChunk();
              }
            });

    assertThat(result.firstChunk().getTotalCount()).isEqualTo(25);
  }

  @Test
  void stopsAtTheFirstFailureAndReportsIt() {
    AtomicInteger sent = new AtomicInteger();
    IllegalArgumentException boom = new IllegalArgumentException("boom");

    assertThatThrownBy(
            () ->
                LoadDriver.withConcurrency(1)
                    .run(100, (i, clock) -> {
                      sent.incrementAndGet();
                      if (i == 10) {
                        throw boom;
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasCause(boom);
    assertThat(sent).hasValue(11);
  }

  @Test
  void namesItsThreads() throws Exception {
    Set<String> names = ConcurrentHashMap.newKeySet();

    LoadDriver.withConcurrency(2)
        .threadNamePrefix("probe-")
        .run(20, (i, clock) -> names.add(Thread.currentThread().getName()));

    assertThat(names).isNotEmpty().allMatch(n -> n.startsWith("probe-"));
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> LoadDriver.withConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concurrency");
    assertThatThrownBy(() -> LoadDriver.withConcurrency(1).run(0, (i, clock) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requests");
    assertThatThrownBy(() -> LoadDriver.withConcurrency(1).threadNamePrefix(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threadNamePrefix");
  }
}
