package io.flexroute.testkit.worker.internal;

/**
 * The worker's load at one instant, as the load endpoints report it.
 *
 * @param runningRequests in-flight generation requests
 * @param usedTokens KV tokens they hold (prompt plus generated so far)
 * @param maxTotalTokens the KV capacity
 * @param tokenUsage the fixed usage ratio, or {@code usedTokens / maxTotalTokens}
 * @param cacheHitRate cached prompt tokens over all prompt tokens so far
 */
record LoadSnapshot(
    int runningRequests,
    long usedTokens,
    int maxTotalTokens,
    double tokenUsage,
    double cacheHitRate) {

  static LoadSnapshot of(WorkerContext context) {
    long used = context.flights().usedTokens();
    int capacity = context.settings().maxTotalTokens();
    double fixed = context.state().tokenUsage();
    double usage = Double.isNaN(fixed) ? Math.min(1.0, (double) used / capacity) : fixed;
    return new LoadSnapshot(
        context.flights().activeGenerations(), used, capacity, usage, context.cache().hitRate());
  }
}
