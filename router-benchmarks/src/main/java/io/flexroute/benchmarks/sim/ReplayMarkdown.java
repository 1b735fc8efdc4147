package io.flexroute.benchmarks.sim;

import io.flexroute.testkit.sim.ReplayConfig;
import io.flexroute.testkit.sim.ReplayResult;
import io.flexroute.testkit.sim.Trace;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders replay results as Markdown tables. Stateless. */
final class ReplayMarkdown {

  /** Throughput and cache hit rate within this share of round robin's count as no worse. */
  static final double NO_WORSE_TOLERANCE = 0.02;

  static final double THROUGHPUT_TARGET = 1.9;
  static final double CACHE_HIT_TARGET = 3.0;
  static final double IMBALANCE_TARGET = 1.5;

  private ReplayMarkdown() {}

  /** The table of every strategy's result on one workload. */
  static String table(Workload w, List<ReplayRow> rows) {
    Trace t = w.trace();
    ReplayConfig c = w.config();
    StringBuilder out = new StringBuilder();
    out.append("#### ").append(w.title()).append("\n\n");
    out.append(w.description()).append(' ');
    out.append(
        String.format(
            Locale.ROOT,
            "%,d conversations, %,d requests, %,d prompt and %,d output tokens; %s, prompts as %s,"
                + " %s.%n%n",
            t.conversations().size(),
            t.requests(),
            t.promptTokens(),
            t.outputTokens(),
            c.maxConcurrentConversations() == 0
                ? "conversations start at their arrival times"
                : "at most " + c.maxConcurrentConversations() + " conversations at once",
            c.promptForm() == io.flexroute.testkit.sim.PromptForm.TOKEN_IDS ? "token ids" : "text",
            c.streaming() ? "streamed" : "not streamed"));
    out.append(
        "| strategy | output tok/s | vs round_robin | requests/s | cache hit | vs round_robin"
            + " | mean TTFT | p99 TTFT | max/mean in-flight | makespan |\n");
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ReplayRow row : rows) {
      ReplayResult r = row.result();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %.2fx | %.1f | %.1f%% | %.2fx | %s | %s | %.2f | %.0f s |%n",
              row.builtIn() ? "`" + r.strategy() + "`" : "(reference) " + r.strategy(),
              r.outputTokensPerSecond(),
              row.throughputRatio(),
              r.requestsPerSecond(),
              100 * r.cacheHitRate(),
              row.cacheHitRatio(),
              millis(r.meanTtft()),
              millis(r.p99Ttft()),
              r.loadImbalance(),
              r.duration().toMillis() / 1000.0));
    }
    long faults = rows.stream().mapToLong(r -> r.result().strategyFaults()).sum();
    long rejected = rows.stream().mapToLong(r -> r.result().rejectedRequests()).sum();
    long preempted = rows.stream().mapToLong(r -> r.result().preemptions()).sum();
    out.append(
        String.format(
            Locale.ROOT,
            "%nStrategy faults: %d; rejected requests: %d; preemptions: %d (all strategies).%n",
            faults,
            rejected,
            preempted));
    return out.toString();
  }

  /** The acceptance targets of cache_aware and shortest_ttft on every workload that has them. */
  static String targets(Map<Workload, List<ReplayRow>> results, List<String> judged) {
    StringBuilder out = new StringBuilder();
    out.append(
        "| trace | strategy | throughput vs round_robin (target) | cache hit vs round_robin"
            + " (target) | max/mean in-flight (<= 1.5) | p99 TTFT vs round_robin | verdict |\n");
    out.append("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for (Map.Entry<Workload, List<ReplayRow>> e : results.entrySet()) {
      Workload w = e.getKey();
      if (w.kind() == Workload.Kind.INFORMATIONAL) {
        continue;
      }
      for (ReplayRow row : e.getValue()) {
        if (!row.builtIn() || !judged.contains(row.result().strategy())) {
          continue;
        }
        out.append(targetRow(w, row));
      }
    }
    return out.toString();
  }

  private static String targetRow(Workload w, ReplayRow row) {
    double thr = row.throughputRatio();
    double hit = row.cacheHitRatio();
    double imb = row.result().loadImbalance();
    boolean balanced = imb <= IMBALANCE_TARGET;
    boolean multiTurn = w.kind() == Workload.Kind.MULTI_TURN;
    boolean thrOk = multiTurn ? thr >= THROUGHPUT_TARGET : thr >= 1 - NO_WORSE_TOLERANCE;
    boolean hitOk = multiTurn ? hit >= CACHE_HIT_TARGET : hit >= 1 - NO_WORSE_TOLERANCE;
    String thrTarget = multiTurn ? ">= 1.9x" : "no worse";
    String hitTarget = multiTurn ? ">= 3x" : "no worse";
    String missed =
        String.join(
            ", ",
            java.util.stream.Stream.of(
                    thrOk ? null : "throughput",
                    hitOk ? null : "cache hit",
                    balanced ? null : "imbalance")
                .filter(java.util.Objects::nonNull)
                .toList());
    String verdict = missed.isEmpty() ? "met" : "**missed**: " + missed;
    long baselineP99 = row.baseline().p99Ttft().toNanos();
    String p99 =
        baselineP99 == 0
            ? "n/a"
            : String.format(
                Locale.ROOT, "%.2fx", row.result().p99Ttft().toNanos() / (double) baselineP99);
    return String.format(
        Locale.ROOT,
        "| %s | `%s` | %.2fx (%s) | %.2fx (%s) | %.2f | %s | %s |%n",
        w.title(),
        row.result().strategy(),
        thr,
        thrTarget,
        hit,
        hitTarget,
        imb,
        p99,
        verdict);
  }

  private static String millis(Duration d) {
    double ms = d.toNanos() / 1e6;
    return ms < 10
        ? String.format(Locale.ROOT, "%.1f ms", ms)
        : String.format(Locale.ROOT, "%,.0f ms", ms);
  }
}
