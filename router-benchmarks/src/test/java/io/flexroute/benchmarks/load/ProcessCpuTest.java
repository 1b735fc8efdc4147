package io.flexroute.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCpuTest {

  @TempDir Path proc;

  @Test
  void parsesAStatLineWhoseCommandHoldsSpacesAndParentheses() {
    String line = "4242 (web (worker) 1) S 4200 4242 4242 0 -1 4194368 10 0 0 0 "
        + "120 35 0 0 20 0 1 0 100 1000 10 18446744073709551615";

    ProcessCpu.Stat stat = ProcessCpu.parse(line);

    assertThat(stat.parentPid()).isEqualTo(4200);
    assertThat(stat.cpuTicks()).isEqualTo(155);
  }

  @Test
  void sumsTheRootAndAllItsDescendantsButNotOtherProcesses() throws IOException {
    process(100, 1, 10, 5); // root: 15 ticks
    process(101, 100, 20, 0); // child: 20
    process(102, 101, 1, 1); // grandchild: 2
    process(200, 1, 500, 500); // unrelated
    Files.createDirectories(proc.resolve("self"));

    ProcessCpu cpu = ProcessCpu.ofTree(100, 100, proc);

    assertThat(cpu.nanos()).isEqualTo(37 * 10_000_000L);
  }

  @Test
  void failsWhenTheRootIsGone() throws IOException {
    process(200, 1, 5, 5);

    assertThatThrownBy(() -> ProcessCpu.ofTree(100, 100, proc).nanos())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("100");
  }

  @Test
  void readsThisProcessOnLinux() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "needs Linux's /proc");
    long pid = ProcessHandle.current().pid();

    // This JVM has loaded classes and run tests: its CPU time is at least one clock tick.
    assertThat(ProcessCpu.ofTree(pid, 100).nanos()).isPositive();
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> ProcessCpu.ofTree(0, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rootPid");
    assertThatThrownBy(() -> ProcessCpu.ofTree(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ticksPerSecond");
  }

  private void process(long pid, long parent, long utime, long stime) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(dir.resolve("stat"),
        pid + " (p" + pid + ") S " + parent + " 0 0 0 -1 0 0 0 0 0 " + utime + " " + stime
            + " 0 0 20 0 1 0 0 0 0\n");
  }
}
