package io.flexroute.benchmarks.overhead;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The overhead benchmark's settings, from {@code --name=value} arguments.
 *
 * <p>Immutable and thread-safe.
 *
 * @param workerUrls base URLs of the workers ({@code --workers}, comma-separated; required)
 * @param proxyUrl base URL of the reverse proxy in front of the same workers ({@code --proxy});
 *     null to leave the proxy path out
 * @param proxyLabel the proxy's name in tables and charts ({@code --proxy-label}, default nginx)
 * @param proxyPid the proxy's root process, whose process tree's CPU is counted ({@code
 *     --proxy-pid}); null to leave it out
 * @param workerPid the workers' process, whose CPU is reported as a check ({@code --worker-pid})
 * @param ticksPerSecond the kernel's clock ticks per second ({@code --clk-tck}, default 100)
 * @param concurrencies the concurrency levels ({@code --concurrency}, default 1,8,32)
 * @param modes plain and/or stream ({@code --modes}, default plain,stream)
 * @param requests measured requests per path, mode and concurrency ({@code --requests}, default
 *     64000)
 * @param rounds how many alternating rounds those requests are split into ({@code --rounds},
 *     default 16)
 * @param warmup warm-up requests per path and round before each mode and concurrency, in rounds
 *     until the JIT compiler is quiet ({@code --warmup}, default 3000)
 * @param jitWarmup warm-up requests per path in the first JIT warm-up round of each mode, before
 *     anything is measured; later rounds send a third as many, until the JIT compiler is quiet
 *     ({@code --jit-warmup}, default 30000)
 * @param maxTokens tokens per answer, hence SSE events per stream ({@code --max-tokens}, default
 *     32)
 * @param control whether to measure the direct path a second time as an A/A control ({@code
 *     --control}, default true)
 * @param out where to write {@code results.md} and the SVG charts ({@code --out}, default
 *     target/overhead)
 * @param note a line describing the machine and proxy, printed above the tables ({@code --note})
 * @param doc a Markdown document whose generated region ({@link DocRegion}) receives the tables
 *     ({@code --doc}); null to write none
 */
record OverheadOptions(
    List<String> workerUrls,
    @Nullable String proxyUrl,
    String proxyLabel,
    @Nullable Long proxyPid,
    @Nullable Long workerPid,
    long ticksPerSecond,
    List<Integer> concurrencies,
    List<String> modes,
    int requests,
    int rounds,
    int warmup,
    int jitWarmup,
    int maxTokens,
    boolean control,
    Path out,
    String note,
    @Nullable Path doc) {

  private static final Set<String> NAMES =
      Set.of(
          "workers", "proxy", "proxy-label", "proxy-pid", "worker-pid", "clk-tck", "concurrency",
          "modes", "requests", "rounds", "warmup", "jit-warmup", "max-tokens", "control", "out",
          "note", "doc");

  static OverheadOptions parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
        throw new IllegalArgumentException("expected --name=value, but got " + arg);
      }
      String name = arg.substring(2, arg.indexOf('='));
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; known: " + NAMES);
      }
      values.put(name, arg.substring(arg.indexOf('=') + 1));
    }
    String workers = values.get("workers");
    if (workers == null || workers.isBlank()) {
      throw new IllegalArgumentException("--workers is required (comma-separated base URLs)");
    }
    List<String> modes = list(values.getOrDefault("modes", "plain,stream"));
    for (String mode : modes) {
      if (!mode.equals("plain") && !mode.equals("stream")) {
        throw new IllegalArgumentException("--modes takes plain and stream, but got " + mode);
      }
    }
    int requests = atLeast(values, "requests", 64_000, 1);
    int rounds = atLeast(values, "rounds", 16, 1);
    if (requests < rounds) {
      throw new IllegalArgumentException("--requests must be >= --rounds");
    }
    return new OverheadOptions(
        list(workers),
        values.get("proxy"),
        values.getOrDefault("proxy-label", "nginx"),
        optionalLong(values, "proxy-pid"),
        optionalLong(values, "worker-pid"),
        atLeast(values, "clk-tck", 100, 1),
        list(values.getOrDefault("concurrency", "1,8,32")).stream()
            .map(Integer::parseInt)
            .peek(c -> {
              if (c < 1) {
                throw new IllegalArgumentException("--concurrency values must be >= 1");
              }
            })
            .toList(),
        modes,
        requests,
        rounds,
        atLeast(values, "warmup", 3_000, 1),
        atLeast(values, "jit-warmup", 30_000, 1),
        atLeast(values, "max-tokens", 32, 1),
        Boolean.parseBoolean(values.getOrDefault("control", "true")),
        Path.of(values.getOrDefault("out", "target/overhead")),
        values.getOrDefault("note", ""),
        values.containsKey("doc") ? Path.of(values.get("doc")) : null);
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static int atLeast(Map<String, String> values, String name, int fallback, int min) {
    String text = values.get(name);
    int value = text == null ? fallback : Integer.parseInt(text.trim());
    if (value < min) {
      throw new IllegalArgumentException("--" + name + " must be >= " + min + ", but was " + value);
    }
    return value;
  }

  private static @Nullable Long optionalLong(Map<String, String> values, String name) {
    String text = values.get(name);
    return text == null || text.isBlank() ? null : Long.parseLong(text.trim());
  }
}
