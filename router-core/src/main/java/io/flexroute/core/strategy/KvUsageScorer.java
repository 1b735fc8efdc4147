package io.flexroute.core.strategy;

import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerScorer;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Scores each candidate by its free KV cache: {@code 1 - usage} from its fresh {@linkplain
 * WorkerView#reportedLoad() reported load}, and 0.5 (neutral) without a fresh report.
 *
 * <p>Immutable and thread-safe; O(n).
 */
public final class KvUsageScorer implements WorkerScorer {

  /** The name of this scorer. */
  public static final String NAME = "kv_usage";

  /** The default age beyond which a report is ignored: 10 seconds. */
  public static final Duration DEFAULT_MAX_REPORT_AGE = Duration.ofSeconds(10);

  private final long maxAgeNanos;
  private final LongSupplier ticker;

  /** Creates the scorer with {@link #DEFAULT_MAX_REPORT_AGE} on {@code System::nanoTime}. */
  public KvUsageScorer() {
    this(DEFAULT_MAX_REPORT_AGE, System::nanoTime);
  }

  /**
   * Creates the scorer.
   *
   * @param maxReportAge the age beyond which a report is ignored, positive
   * @param ticker the clock reports are stamped with, in nanoseconds
   * @throws IllegalArgumentException if the age is not positive
   */
  public KvUsageScorer(Duration maxReportAge, LongSupplier ticker) {
    this.maxAgeNanos = ShortestTtftConfig.Builder.positive(maxReportAge, "maxReportAge").toNanos();
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void score(RequestView request, List<WorkerView> candidates, double[] scores) {
    long now = ticker.getAsLong();
    for (int i = 0, n = candidates.size(); i < n; i++) {
      WorkerLoad load = candidates.get(i).reportedLoad();
      double usage =
          load == null || now - load.reportedAtNanos() > maxAgeNanos ? Double.NaN
              : load.kvCacheUsage();
      scores[i] = Double.isNaN(usage) ? 0.5 : 1 - usage;
    }
  }

  @Override
  public String toString() {
    return "KvUsageScorer";
  }
}
