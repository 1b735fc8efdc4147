package io.flexroute.spi;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The built-in {@link WorkerPicker}s. Stateless and thread-safe. */
final class Pickers {

  static final WorkerPicker HIGHEST = new Highest();
  static final WorkerPicker WEIGHTED_RANDOM = new WeightedRandom();

  private Pickers() {}

  /** Highest score; ties broken uniformly at random by reservoir sampling. */
  private static final class Highest implements WorkerPicker {
    @Override
    public WorkerView pick(RequestView request, List<WorkerView> candidates, double[] scores) {
      int n = candidates.size();
      int best = 0;
      int ties = 1;
      for (int i = 1; i < n; i++) {
        double s = scores[i];
        if (s > scores[best]) {
          best = i;
          ties = 1;
        } else if (s == scores[best]) {
          ties++;
          if (ThreadLocalRandom.current().nextInt(ties) == 0) {
            best = i;
          }
        }
      }
      return candidates.get(best);
    }

    @Override
    public String toString() {
      return "highestScore";
    }
  }

  /** A draw proportional to the score. */
  private static final class WeightedRandom implements WorkerPicker {
    @Override
    public WorkerView pick(RequestView request, List<WorkerView> candidates, double[] scores) {
      int n = candidates.size();
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += scores[i];
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      if (!(total > 0)) {
        return candidates.get(random.nextInt(n));
      }
      double target = random.nextDouble() * total;
      for (int i = 0; i < n; i++) {
        target -= scores[i];
        if (target < 0) {
          return candidates.get(i);
        }
      }
      // Rounding left a sliver: the last candidate with a positive score takes it.
      for (int i = n - 1; i > 0; i--) {
        if (scores[i] > 0) {
          return candidates.get(i);
        }
      }
      return candidates.get(0);
    }

    @Override
    public String toString() {
      return "weightedRandom";
    }
  }
}
