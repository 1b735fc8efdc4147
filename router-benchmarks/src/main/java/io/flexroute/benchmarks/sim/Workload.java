package io.flexroute.benchmarks.sim;

import io.flexroute.testkit.sim.ReplayConfig;
import io.flexroute.testkit.sim.Trace;

/**
 * One trace and the way it is replayed.
 *
 * @param key a short identifier for the chart
 * @param title the heading of its table
 * @param description what the trace is, for the documentation
 * @param trace the conversations
 * @param config the fleet and replay settings
 * @param kind which acceptance targets apply to it
 */
record Workload(
    String key, String title, String description, Trace trace, ReplayConfig config, Kind kind) {

  /** Which targets a workload is judged by. */
  enum Kind {
    /** Multi-turn: 1.9x the throughput and 3x the cache hit rate of round robin, imbalance 1.5. */
    MULTI_TURN,
    /** One shared system prompt: no worse than round robin. */
    SHARED_PROMPT,
    /** No target; reported for information. */
    INFORMATIONAL
  }
}
