package io.flexroute.benchmarks.sim;

import io.flexroute.testkit.sim.ReplayResult;

/**
 * One strategy's result on one workload, with its ratios to the baseline's result on the same
 * workload.
 *
 * @param result the strategy's result
 * @param baseline round robin's result on the same workload
 * @param builtIn false for the reference row that is not a built-in strategy
 * @param wallSeconds the host time the replay took
 */
record ReplayRow(ReplayResult result, ReplayResult baseline, boolean builtIn, double wallSeconds) {

  double throughputRatio() {
    return result.outputTokensPerSecond() / baseline.outputTokensPerSecond();
  }

  double cacheHitRatio() {
    return baseline.cacheHitRate() == 0
        ? Double.POSITIVE_INFINITY
        : result.cacheHitRate() / baseline.cacheHitRate();
  }
}
