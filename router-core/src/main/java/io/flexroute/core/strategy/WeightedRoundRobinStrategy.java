package io.flexroute.core.strategy;

import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Smooth weighted round-robin (as nginx does it): over every cycle each candidate gets a share of
 * requests proportional to its {@link io.flexroute.Worker#weight()}, and the picks of heavy workers
 * are spread through the cycle rather than bunched.
 *
 * <p>The cycle for a candidate list is computed once (weights divided by their greatest common
 * divisor) and cached by the list's identity, which the router keeps stable while the eligible set
 * is unchanged, with its own position, so requests for different models that interleave do not
 * skew each other; a selection is then one atomic increment and an array read, O(1) and lock-free. When
 * the cycle would be too long (total weight above {@value #MAX_CYCLE}), the strategy falls back to
 * the classic O(n) smooth algorithm under a lock. Workers of weight 0 get no traffic unless every
 * candidate has weight 0, in which case all count as weight 1. Thread-safe.
 */
public final class WeightedRoundRobinStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "weighted_round_robin";

  /** The longest precomputed cycle, in picks. */
  static final int MAX_CYCLE = 1 << 16;

  private final AtomicLong starts = new AtomicLong();
  private final ListCache<Cycle> cycles =
      new ListCache<>(list -> Cycle.build(list, starts.getAndIncrement()));

  /** Creates the strategy. */
  public WeightedRoundRobinStrategy() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    Cycle cycle = cycles.get(candidates);
    return Choice.of(candidates.get(cycle.next()));
  }

  /** The picks of one cycle, or the live smooth state when the cycle is too long. */
  private static final class Cycle {
    private final int[] sequence;
    private final int[] weights;
    private final long[] current;
    private final long total;
    // Each list has its own position, so lists that interleave do not skew each other.
    private final AtomicLong position;
    private final ReentrantLock lock = new ReentrantLock();

    private Cycle(int[] sequence, int[] weights, long total, long start) {
      this.sequence = sequence;
      this.weights = weights;
      this.current = new long[weights.length];
      this.total = total;
      this.position = new AtomicLong(start);
    }

    static Cycle build(List<WorkerView> candidates, long start) {
      int n = candidates.size();
      int[] weights = new int[n];
      boolean anyPositive = false;
      for (int i = 0; i < n; i++) {
        weights[i] = candidates.get(i).worker().weight();
        anyPositive |= weights[i] > 0;
      }
      if (!anyPositive) {
        java.util.Arrays.fill(weights, 1);
      }
      int gcd = 0;
      for (int w : weights) {
        gcd = gcd(gcd, w);
      }
      long total = 0;
      for (int i = 0; i < n; i++) {
        weights[i] /= gcd;
        total += weights[i];
      }
      if (total > MAX_CYCLE) {
        return new Cycle(new int[0], weights, total, start);
      }
      int[] sequence = new int[(int) total];
      long[] current = new long[n];
      for (int step = 0; step < sequence.length; step++) {
        sequence[step] = smoothPick(weights, current, total);
      }
      return new Cycle(sequence, weights, total, start);
    }

    int next() {
      if (sequence.length > 0) {
        return sequence[(int) Math.floorMod(position.getAndIncrement(), (long) sequence.length)];
      }
      lock.lock();
      try {
        return smoothPick(weights, current, total);
      } finally {
        lock.unlock();
      }
    }

    /** One step of smooth weighted round-robin: raise all by their weight, take the top, lower it. */
    private static int smoothPick(int[] weights, long[] current, long total) {
      int best = -1;
      for (int i = 0; i < weights.length; i++) {
        if (weights[i] == 0) {
          continue;
        }
        current[i] += weights[i];
        if (best < 0 || current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      return best;
    }

    private static int gcd(int a, int b) {
      while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
      }
      return a;
    }
  }
}
