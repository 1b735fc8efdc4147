package io.flexroute.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the running JVM and of its current thread, as the JVM reports them.
 *
 * <p>Stateless and thread-safe.
 */
public final class CpuClocks {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuClocks() {}

  /**
   * Returns the CPU time (user and system) of the whole JVM process so far: every thread, including
   * the garbage collector and the JIT compiler.
   *
   * @return nanoseconds of CPU time
   * @throws UnsupportedOperationException if this JVM does not report process CPU time
   */
  public static long processNanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      long nanos = sun.getProcessCpuTime();
      if (nanos >= 0) {
        return nanos;
      }
    }
    throw new UnsupportedOperationException("this JVM does not report process CPU time");
  }

  /**
   * Returns the CPU time of the calling thread so far.
   *
   * @return nanoseconds of CPU time
   */
  public static long currentThreadNanos() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /**
   * Returns the CPU time of a live thread of this JVM.
   *
   * @param threadId the thread's id
   * @return nanoseconds of CPU time, or -1 if the thread is gone
   */
  public static long threadNanos(long threadId) {
    return THREADS.getThreadCpuTime(threadId);
  }
}
