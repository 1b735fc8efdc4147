package io.flexroute.benchmarks.overhead;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sorts the client JVM's threads into the groups the CPU breakdown reports, by thread name.
 *
 * <p>Stateless and thread-safe.
 */
final class ThreadGroups {

  /** The HTTP transport's OkHttp dispatcher threads, which run the router's asynchronous calls. */
  static final String TRANSPORT = "transport calls (flexroute-http)";

  /** The router's own threads: the deadline scheduler and the executor. */
  static final String ROUTER = "router timer, executor (flexroute-*)";

  /** OkHttp's and Okio's background threads: connection-pool cleanup and the timeout watchdog. */
  static final String OKHTTP = "OkHttp, Okio background";

  /** Every other Java thread. */
  static final String OTHER = "other Java threads";

  static final List<String> ALL = List.of(TRANSPORT, ROUTER, OKHTTP, OTHER);

  private ThreadGroups() {}

  /** The group of a thread, or null for the load driver's threads, which are counted apart. */
  static @Nullable String of(String threadName) {
    if (threadName.startsWith("load-driver-")) {
      return null;
    }
    if (threadName.startsWith("flexroute-http")) {
      return TRANSPORT;
    }
    if (threadName.startsWith("flexroute-")) {
      return ROUTER;
    }
    if (threadName.startsWith("OkHttp") || threadName.startsWith("Okio")) {
      return OKHTTP;
    }
    return OTHER;
  }
}
