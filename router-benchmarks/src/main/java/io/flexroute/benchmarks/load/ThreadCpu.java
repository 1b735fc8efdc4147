package io.flexroute.benchmarks.load;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The CPU time of this JVM's live threads, to tell which threads a run's CPU went to. Take a
 * {@linkplain #snapshot() snapshot} before and after the run and {@linkplain #usedBetween group the
 * difference} by thread name. Threads that end between the two snapshots are not counted (their CPU
 * time is still in {@link CpuClocks#processNanos()}), so use it for long-lived pool threads; a
 * {@link LoadDriver} reports its own threads' CPU time.
 *
 * <p>Immutable and thread-safe.
 */
public final class ThreadCpu {

  private final Map<Long, Sample> byThreadId;

  private ThreadCpu(Map<Long, Sample> byThreadId) {
    this.byThreadId = byThreadId;
  }

  /**
   * Reads the CPU time of every live thread.
   *
   * @return the snapshot
   */
  public static ThreadCpu snapshot() {
    Map<Long, Sample> samples = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      long nanos = CpuClocks.threadNanos(thread.getId());
      if (nanos >= 0) {
        samples.put(thread.getId(), new Sample(thread.getName(), nanos));
      }
    }
    return new ThreadCpu(Map.copyOf(samples));
  }

  /**
   * Returns the CPU time each group of threads used from an earlier snapshot to this one. A thread
   * that did not exist at the earlier snapshot counts from zero; its name is the one it has now.
   *
   * @param earlier the snapshot taken first
   * @param group maps a thread name to its group's name, or to null to leave the thread out
   * @return nanoseconds per group; groups that used nothing are absent
   */
  public Map<String, Long> usedBetween(
      ThreadCpu earlier, Function<String, @Nullable String> group) {
    Map<String, Long> used = new HashMap<>();
    for (Map.Entry<Long, Sample> e : byThreadId.entrySet()) {
      Sample before = earlier.byThreadId.get(e.getKey());
      long delta = e.getValue().nanos - (before == null ? 0 : before.nanos);
      String name = group.apply(e.getValue().name);
      if (name != null && delta > 0) {
        used.merge(name, delta, Long::sum);
      }
    }
    return used;
  }

  private record Sample(String name, long nanos) {}

  @Override
  public String toString() {
    return "ThreadCpu{threads=" + byThreadId.size() + "}";
  }
}
