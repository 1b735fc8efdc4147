package io.flexroute.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  @Test
  void attributesAThreadsCpuTimeToItsGroup() throws Exception {
    CountDownLatch busyDone = new CountDownLatch(1);
    CountDownLatch measured = new CountDownLatch(1);
    ThreadCpu before = ThreadCpu.snapshot();
    Thread busy =
        new Thread(
            () -> {
              long until = CpuClocks.currentThreadNanos() + 20_000_000L;
              long x = 0;
              while (CpuClocks.currentThreadNanos() < until) {
                x += System.identityHashCode(this);
              }
              busyDone.countDown();
              try {
                measured.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (x == 42) {
                System.out.print("");
              }
            },
            "probe-busy");
    busy.start();
    assertThat(busyDone.await(10, TimeUnit.SECONDS)).isTrue();

    Map<String, Long> used =
        ThreadCpu.snapshot()
            .usedBetween(before, name -> name.startsWith("probe-") ? "probe" : null);
    measured.countDown();
    busy.join();

    assertThat(used).containsOnlyKeys("probe");
    assertThat(used.get("probe")).isGreaterThanOrEqualTo(20_000_000L);
  }
}
