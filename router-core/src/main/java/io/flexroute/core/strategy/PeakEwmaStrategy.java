package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.HealthState;
import io.flexroute.RequestOutcome;
import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Compares a few random candidates by {@code peakEwmaLatency * (inFlight + 1)} and takes the
 * cheapest, as Finagle's and Linkerd's peak-EWMA balancers do.
 *
 * <p>Each worker's average follows completed requests' latency (a stream's time to first chunk when
 * it has one, else the whole duration): a sample above the average replaces it at once (the
 * "peak"), one below pulls it down with weight {@code 1 - exp(-elapsed / decayTime)}, and the
 * average decays toward zero while the worker is idle, so a slow worker is avoided quickly and
 * retried once it has rested. A worker without a sample yet costs 0 while idle and a large penalty
 * while it has a request in flight, so a new worker takes one request at a time until it answers.
 * Failed requests do not feed the average; ties go to fewer in-flight requests.
 *
 * <p>Thread-safe. A selection is O({@code choices}), lock-free; a completion takes the worker's
 * lock for a few arithmetic operations.
 */
public final class PeakEwmaStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "peak_ewma";

  private static final double PENALTY = 1e15;

  private final PeakEwmaConfig config;
  private final double decayNanos;
  private final ConcurrentHashMap<String, PeakEwma> averages = new ConcurrentHashMap<>();
  private final ListCache<PeakEwma[]> fleets = new ListCache<>(this::fleet);

  /** Creates the strategy with {@link PeakEwmaConfig#defaults()}. */
  public PeakEwmaStrategy() {
    this(PeakEwmaConfig.defaults());
  }

  /**
   * Creates the strategy.
   *
   * @param config the settings
   */
  public PeakEwmaStrategy(PeakEwmaConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.decayNanos = (double) config.decayTime().toNanos();
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return the settings */
  public PeakEwmaConfig config() {
    return config;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    int n = candidates.size();
    if (n == 1) {
      return Choice.of(candidates.get(0));
    }
    PeakEwma[] fleet = fleets.get(candidates);
    long now = config.ticker().getAsLong();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int d = Math.min(config.choices(), n);
    int first = random.nextInt(n);
    int best = first;
    double bestCost = cost(fleet[first], candidates.get(first), now);
    int bestLoad = candidates.get(first).inFlightRequests();
    // d distinct candidates: rejection sampling while d is small against n, else a scan.
    boolean scan = 2 * d > n;
    int[] picked = scan ? new int[0] : new int[d];
    if (!scan) {
      picked[0] = first;
    }
    for (int k = 1; k < d; k++) {
      int i;
      if (scan) {
        i = first + k;
        if (i >= n) {
          i -= n;
        }
      } else {
        do {
          i = random.nextInt(n);
        } while (contains(picked, k, i));
        picked[k] = i;
      }
      WorkerView w = candidates.get(i);
      double c = cost(fleet[i], w, now);
      int load = w.inFlightRequests();
      if (c < bestCost || (c == bestCost && load < bestLoad)) {
        best = i;
        bestCost = c;
        bestLoad = load;
      }
    }
    return Choice.of(candidates.get(best));
  }

  private static boolean contains(int[] a, int length, int value) {
    for (int i = 0; i < length; i++) {
      if (a[i] == value) {
        return true;
      }
    }
    return false;
  }

  private double cost(PeakEwma ewma, WorkerView worker, long now) {
    int inFlight = worker.inFlightRequests();
    double latency = ewma.valueAt(now, decayNanos);
    if (latency <= 0) {
      return inFlight == 0 ? 0 : PENALTY + inFlight;
    }
    return latency * (inFlight + 1.0);
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    if (feedback.outcome() != RequestOutcome.SUCCESS) {
      return;
    }
    Duration sample = feedback.duration();
    Duration first = feedback.timeToFirstChunk();
    if (config.preferTimeToFirstChunk() && first != null) {
      sample = first;
    }
    WorkerView worker = feedback.worker();
    PeakEwma ewma = averages.get(worker.id());
    if (ewma == null) {
      if (worker.health() == HealthState.REMOVED) {
        return; // a request that outlived its worker's removal: keep the average forgotten
      }
      ewma = averages.computeIfAbsent(worker.id(), id -> new PeakEwma());
    }
    ewma.observe(Math.max(1, sample.toNanos()), config.ticker().getAsLong(), decayNanos);
  }

  /** Forgets the worker's average. */
  @Override
  public void onWorkerRemoved(Worker worker) {
    averages.remove(worker.id());
  }

  /**
   * The current average latency of a worker.
   *
   * @param workerId the worker id
   * @return the average in nanoseconds, 0 before its first sample
   */
  public double averageNanos(String workerId) {
    PeakEwma e = averages.get(workerId);
    return e == null ? 0 : e.valueAt(config.ticker().getAsLong(), decayNanos);
  }

  private PeakEwma[] fleet(List<WorkerView> candidates) {
    PeakEwma[] out = new PeakEwma[candidates.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = averages.computeIfAbsent(candidates.get(i).id(), id -> new PeakEwma());
    }
    return out;
  }

  @Override
  public String toString() {
    return "PeakEwmaStrategy{" + config + "}";
  }

  /**
   * One worker's peak-sensitive average. Reads are lock-free; updates take the monitor. The value
   * and the time it was taken are one immutable pair, so that a reader never decays a new peak
   * by the time elapsed since the previous sample (two separate fields could pair them so).
   */
  private static final class PeakEwma {
    private record Sample(double value, long stamp) {}

    private volatile Sample last = new Sample(0, 0);

    double valueAt(long now, double decayNanos) {
      return decayed(last, now, decayNanos);
    }

    private static double decayed(Sample s, long now, double decayNanos) {
      double v = s.value;
      if (v <= 0) {
        return 0;
      }
      long elapsed = now - s.stamp;
      return elapsed <= 0 ? v : v * Math.exp(-elapsed / decayNanos);
    }

    synchronized void observe(double sample, long now, double decayNanos) {
      Sample previous = last;
      double current = decayed(previous, now, decayNanos);
      if (sample > current) {
        last = new Sample(sample, now);
      } else {
        long elapsed = Math.max(0, now - previous.stamp);
        double w = Math.exp(-elapsed / decayNanos);
        last = new Sample(current * w + sample * (1 - w), now);
      }
    }
  }
}
