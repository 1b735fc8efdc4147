package io.flexroute.core.strategy.internal;

import java.lang.management.ManagementFactory;

/**
 * For tests that need the collector to find an object unreachable, which they ask for with {@code
 * System.gc()}.
 */
public final class ExplicitGc {

  private ExplicitGc() {}

  /**
   * Whether {@code System.gc()} runs a collection in this JVM: not when it was started with
   * {@code -XX:+DisableExplicitGC}, under which such tests are skipped rather than failed.
   *
   * @return whether explicit collections run
   */
  public static boolean works() {
    return !ManagementFactory.getRuntimeMXBean().getInputArguments()
        .contains("-XX:+DisableExplicitGC");
  }
}
