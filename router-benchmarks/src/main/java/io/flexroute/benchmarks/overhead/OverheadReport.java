package io.flexroute.benchmarks.overhead;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Turns the overhead benchmark's measurements into Markdown tables and SVG charts.
 *
 * <p>Immutable and thread-safe.
 */
final class OverheadReport {

  static final String BASELINE = "direct";
  static final String ROUTER = "FlexRoute";
  static final String CONTROL = "direct (control)";
  static final double P50_TARGET = 0.10;
  static final double P99_TARGET = 0.20;

  private final List<ConfigurationResult> results;
  private final String proxyLabel;

  OverheadReport(List<ConfigurationResult> results, String proxyLabel) {
    this.results = List.copyOf(results);
    this.proxyLabel = proxyLabel;
  }

  /** The tables for one mode: every path at every concurrency. */
  String table(boolean stream) {
    StringBuilder out = new StringBuilder();
    out.append("| concurrency | path | req/s | p50 µs | p99 µs | p99.9 µs | added p50 | added p99"
        + " | added p99.9 |");
    if (stream) {
      out.append(" added first-chunk p50 | added first-chunk p99 |");
    }
    out.append(" client CPU µs/req | proxy CPU µs/req | workers' CPU µs/req |\n");
    out.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    if (stream) {
      out.append(" ---: | ---: |");
    }
    out.append(" ---: | ---: | ---: |\n");
    for (ConfigurationResult config : results) {
      if (config.stream() != stream) {
        continue;
      }
      for (PathMeasurement path : config.paths()) {
        boolean baseline = path == config.baseline();
        out.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %s | %s | %s | %s | %s | %s |",
            config.concurrency(),
            path.label(),
            path.result().requestsPerSecond(),
            number(path.result().latencyMicros(50)),
            number(path.result().latencyMicros(99)),
            number(path.result().latencyMicros(99.9)),
            baseline ? "" : signed(config.addedMicros(path, 50)),
            baseline ? "" : signed(config.addedMicros(path, 99)),
            baseline ? "" : signed(config.addedMicros(path, 99.9))));
        if (stream) {
          out.append(String.format(Locale.ROOT, " %s | %s |",
              baseline ? "" : signed(config.addedFirstChunkMicros(path, 50)),
              baseline ? "" : signed(config.addedFirstChunkMicros(path, 99))));
        }
        out.append(String.format(Locale.ROOT, " %.1f | %s | %.1f |\n",
            path.clientCpuMicrosPerRequest(),
            path.label().equals(proxyLabel) ? String.format(Locale.ROOT, "%.1f",
                path.proxyCpuMicrosPerRequest()) : "",
            path.workerCpuMicrosPerRequest()));
      }
    }
    return out.toString();
  }

  /** FlexRoute's added latency against the proxy's, per mode and concurrency. */
  String targets() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "| mode | concurrency | FlexRoute added p50 | %s added p50 | ratio (target <= %.2f) |"
            + " FlexRoute added p99 | %s added p99 | ratio (target <= %.2f) |%n",
        proxyLabel, P50_TARGET, proxyLabel, P99_TARGET));
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ConfigurationResult config : results) {
      PathMeasurement router = config.path(ROUTER);
      PathMeasurement proxy = config.path(proxyLabel);
      if (router == null || proxy == null) {
        continue;
      }
      double r50 = config.addedMicros(router, 50);
      double p50 = config.addedMicros(proxy, 50);
      double r99 = config.addedMicros(router, 99);
      double p99 = config.addedMicros(proxy, 99);
      out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n",
          config.modeName(), config.concurrency(),
          signed(r50), signed(p50), ratio(r50, p50, P50_TARGET),
          signed(r99), signed(p99), ratio(r99, p99, P99_TARGET)));
    }
    return out.toString();
  }

  /** Where the client JVM's CPU time went, per path. */
  String cpuBreakdown() {
    StringBuilder out = new StringBuilder();
    out.append("| mode | concurrency | path | callers (driver threads) |");
    for (String group : ThreadGroups.ALL) {
      out.append(' ').append(group).append(" |");
    }
    out.append(" rest of the JVM (GC, JIT) | total |\n");
    out.append("| --- | ---: | --- | ---: |");
    out.append(" ---: |".repeat(ThreadGroups.ALL.size()));
    out.append(" ---: | ---: |\n");
    for (ConfigurationResult config : results) {
      for (PathMeasurement path : config.paths()) {
        if (path.label().equals(CONTROL)) {
          continue;
        }
        out.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f |",
            config.modeName(), config.concurrency(), path.label(),
            path.callerCpuMicrosPerRequest()));
        for (String group : ThreadGroups.ALL) {
          out.append(String.format(Locale.ROOT, " %.1f |",
              path.threadGroupCpuMicrosPerRequest(group)));
        }
        out.append(String.format(Locale.ROOT, " %.1f | %.1f |%n",
            path.restOfJvmCpuMicrosPerRequest(), path.clientCpuMicrosPerRequest()));
      }
    }
    return out.toString();
  }

  /** The added-latency chart of one mode: a panel per concurrency, the control as noise. */
  @Nullable String latencyChart(boolean stream) {
    List<String> categories = new ArrayList<>();
    List<Double> routerP50 = new ArrayList<>();
    List<Double> proxyP50 = new ArrayList<>();
    List<Double> controlP50 = new ArrayList<>();
    List<Double> routerP99 = new ArrayList<>();
    List<Double> proxyP99 = new ArrayList<>();
    List<Double> controlP99 = new ArrayList<>();
    for (ConfigurationResult config : results) {
      PathMeasurement router = config.path(ROUTER);
      PathMeasurement proxy = config.path(proxyLabel);
      if (config.stream() != stream || router == null || proxy == null) {
        continue;
      }
      PathMeasurement control = config.path(CONTROL);
      categories.add("concurrency " + config.concurrency());
      routerP50.add(config.addedMicros(router, 50));
      proxyP50.add(config.addedMicros(proxy, 50));
      controlP50.add(control == null ? 0 : config.addedMicros(control, 50));
      routerP99.add(config.addedMicros(router, 99));
      proxyP99.add(config.addedMicros(proxy, 99));
      controlP99.add(control == null ? 0 : config.addedMicros(control, 99));
    }
    if (categories.isEmpty()) {
      return null;
    }
    List<SvgBarChart.Series> series = new ArrayList<>();
    series.add(new SvgBarChart.Series(ROUTER + " p50", "#1f5fa8", routerP50));
    series.add(new SvgBarChart.Series(proxyLabel + " p50", "#e6550d", proxyP50));
    if (hasControl()) {
      series.add(new SvgBarChart.Series("control p50 (noise)", "#969696", controlP50));
    }
    series.add(new SvgBarChart.Series(ROUTER + " p99", "#7fb0e0", routerP99));
    series.add(new SvgBarChart.Series(proxyLabel + " p99", "#fdae6b", proxyP99));
    if (hasControl()) {
      series.add(new SvgBarChart.Series("control p99 (noise)", "#d0d0d0", controlP99));
    }
    return new SvgBarChart(
            "Latency added over a direct call, " + (stream ? "SSE streams" : "plain requests"),
            "added latency (µs)",
            categories,
            series,
            true)
        .render();
  }

  /** The CPU-per-request chart over every mode and concurrency. */
  @Nullable String cpuChart() {
    List<String> categories = new ArrayList<>();
    List<Double> direct = new ArrayList<>();
    List<Double> router = new ArrayList<>();
    List<Double> proxyClient = new ArrayList<>();
    List<Double> proxyItself = new ArrayList<>();
    for (ConfigurationResult config : results) {
      PathMeasurement r = config.path(ROUTER);
      PathMeasurement p = config.path(proxyLabel);
      if (r == null || p == null) {
        continue;
      }
      categories.add(config.modeName() + ", c=" + config.concurrency());
      direct.add(config.baseline().clientCpuMicrosPerRequest());
      router.add(r.clientCpuMicrosPerRequest());
      proxyClient.add(p.clientCpuMicrosPerRequest());
      proxyItself.add(p.proxyCpuMicrosPerRequest());
    }
    if (categories.isEmpty()) {
      return null;
    }
    return new SvgBarChart(
            "CPU per request: client JVM, plus the proxy's own processes",
            "CPU time per request (µs)",
            categories,
            List.of(
                new SvgBarChart.Series("direct: client", "#969696", direct),
                new SvgBarChart.Series(ROUTER + ": client", "#1f5fa8", router),
                new SvgBarChart.Series("via " + proxyLabel + ": client", "#fdae6b", proxyClient),
                new SvgBarChart.Series(
                    "via " + proxyLabel + ": " + proxyLabel + " processes", "#e6550d",
                    proxyItself, true)))
        .render();
  }

  private boolean hasControl() {
    return results.stream().anyMatch(r -> r.path(CONTROL) != null);
  }

  private static String ratio(double router, double proxy, double target) {
    if (proxy <= 0) {
      return "n/a (proxy added nothing)";
    }
    double ratio = router / proxy;
    String verdict = ratio <= target ? "met" : "**not met**";
    return String.format(Locale.ROOT, "%.2f, %s", ratio, verdict);
  }

  private static String number(double micros) {
    return String.format(Locale.ROOT, micros >= 100 ? "%.0f" : "%.1f", micros);
  }

  private static String signed(double micros) {
    return String.format(Locale.ROOT, Math.abs(micros) >= 100 ? "%+.0f" : "%+.1f", micros);
  }
}
