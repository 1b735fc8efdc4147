package io.flexroute.radix.internal;

import io.flexroute.WeightVersions;
import io.flexroute.radix.WeightVersionMapper;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mapping of {@link WeightVersionMapper#standard()}: decimal integers map to themselves,
 * SGLang's initial label {@value WeightVersions#INITIAL} to 0 (the weights before any update, older
 * than every update however late a worker reports it), other strings to numbers handed out in
 * order of first sight above the highest number produced so far.
 *
 * <p>Thread-safe. The registry holds one entry per distinct non-numeric version string (one per
 * weight update at most). Not public API.
 */
public final class StandardWeightVersionMapper implements WeightVersionMapper {

  private final ConcurrentHashMap<String, Integer> registry = new ConcurrentHashMap<>();
  // 0 is taken by the initial weights, so the first label gets 1.
  private final AtomicInteger highest = new AtomicInteger(0);

  /** Creates a mapper with an empty registry. */
  public StandardWeightVersionMapper() {}

  @Override
  public int toInt(String workerVersion) {
    Objects.requireNonNull(workerVersion, "workerVersion");
    String v = workerVersion.strip();
    if (v.equals(WeightVersions.INITIAL)) {
      // A worker that (re)started on its initial weights after updates were seen elsewhere must
      // not count as the newest version: its tokens would pass for on-policy and trigger GC.
      return 0;
    }
    int parsed = parseDecimal(v);
    if (parsed >= 0) {
      highest.accumulateAndGet(parsed, Math::max);
      return parsed;
    }
    Integer known = registry.get(v);
    if (known != null) {
      return known;
    }
    return registry.computeIfAbsent(
        v, k -> highest.updateAndGet(h -> h == Integer.MAX_VALUE ? h : h + 1));
  }

  /** The value of a string of 1 to 10 ASCII digits that fits an int, or -1. */
  static int parseDecimal(String s) {
    int n = s.length();
    if (n == 0 || n > 10) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value > Integer.MAX_VALUE ? -1 : (int) value;
  }

  @Override
  public String toString() {
    return "StandardWeightVersionMapper{registered=" + registry.size() + ", highest="
        + highest.get() + "}";
  }
}
