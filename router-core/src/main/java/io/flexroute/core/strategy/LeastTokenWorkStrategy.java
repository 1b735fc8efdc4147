package io.flexroute.core.strategy;

import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends each request to the worker with the least token work ahead of it, as SGLang's {@code
 * least_load} policy does:
 *
 * <pre>{@code
 * score = (queuedTokens + inFlightTokens) / throughput + kvPressureWeight * k / (1 - k)
 * }</pre>
 *
 * where {@code inFlightTokens} is the router's own count of the prompt tokens running on the worker
 * (exact between polls, so a burst cannot pile onto a worker whose last report looked idle), {@code
 * queuedTokens} the worker's fresh reported waiting requests times {@code meanPrefillTokens}, and
 * {@code k} its reported KV-cache usage (0 when unknown, at most 0.99). The lowest score wins; ties
 * go to fewer in-flight requests, then to a random worker.
 *
 * <p>Thread-safe and lock-free. Up to {@code exactScanLimit} candidates every candidate is scored
 * (O(n)); above it the best of {@code sampleSize} random candidates wins ("power of d choices"), so
 * the cost does not grow with the fleet.
 */
public final class LeastTokenWorkStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "least_token_work";

  private static final double MAX_KV_USAGE = 0.99;

  private final LeastTokenWorkConfig config;
  private final ListCache<double[]> throughputs;
  private final long maxReportAgeNanos;

  /** Creates the strategy with {@link LeastTokenWorkConfig#defaults()}. */
  public LeastTokenWorkStrategy() {
    this(LeastTokenWorkConfig.defaults());
  }

  /**
   * Creates the strategy.
   *
   * @param config the settings
   */
  public LeastTokenWorkStrategy(LeastTokenWorkConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.throughputs = new ListCache<>(this::rates);
    long age;
    try {
      age = config.maxReportAge().toNanos();
    } catch (ArithmeticException e) {
      age = Long.MAX_VALUE;
    }
    this.maxReportAgeNanos = age;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return the settings */
  public LeastTokenWorkConfig config() {
    return config;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    int n = candidates.size();
    if (n == 1) {
      return Choice.of(candidates.get(0));
    }
    double[] rates = throughputs.get(candidates);
    long now = config.ticker().getAsLong();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    boolean scan = n <= config.exactScanLimit();
    int count = scan ? n : config.sampleSize();
    int start = random.nextInt(n);
    int best = -1;
    double bestScore = Double.MAX_VALUE;
    int bestLoad = Integer.MAX_VALUE;
    for (int k = 0; k < count; k++) {
      int i;
      if (scan) {
        i = start + k;
        if (i >= n) {
          i -= n;
        }
      } else {
        i = random.nextInt(n);
      }
      WorkerView w = candidates.get(i);
      double s = score(w, rates[i], now);
      int load = w.inFlightRequests();
      if (s < bestScore || (s == bestScore && load < bestLoad)) {
        best = i;
        bestScore = s;
        bestLoad = load;
      }
    }
    return Choice.of(candidates.get(best < 0 ? start : best));
  }

  /**
   * The score of a worker: lower is better.
   *
   * @param worker the worker
   * @param throughput its throughput in tokens per second
   * @param now the current time on the config's ticker
   * @return the score
   */
  double score(WorkerView worker, double throughput, long now) {
    double queued = 0;
    double k = 0;
    WorkerLoad load = worker.reportedLoad();
    if (load != null && now - load.reportedAtNanos() <= maxReportAgeNanos) {
      queued = (double) load.waitingRequests() * config.meanPrefillTokens();
      double usage = load.kvCacheUsage();
      if (usage > 0) {
        k = Math.min(usage, MAX_KV_USAGE);
      }
    }
    return (queued + worker.inFlightTokens()) / throughput
        + config.kvPressureWeight() * k / (1 - k);
  }

  private double[] rates(List<WorkerView> candidates) {
    double[] out = new double[candidates.size()];
    for (int i = 0; i < out.length; i++) {
      double r = config.throughput().applyAsDouble(candidates.get(i).worker());
      out[i] = r > 0 && !Double.isInfinite(r) ? r : LeastTokenWorkConfig.DEFAULT_THROUGHPUT;
    }
    return out;
  }

  @Override
  public String toString() {
    return "LeastTokenWorkStrategy{" + config + "}";
  }
}
