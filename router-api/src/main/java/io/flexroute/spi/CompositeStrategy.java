package io.flexroute.spi;

import io.flexroute.Worker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A routing strategy assembled from parts: {@link WorkerFilter}s narrow the candidates, {@link
 * WorkerScorer}s rate the rest, and a {@link WorkerPicker} chooses from the weighted sum of the
 * scores, in the style of the Kubernetes inference gateway's scheduling profiles.
 *
 * <pre>{@code
 * RoutingStrategy policy = CompositeStrategy.builder("gated_affinity")
 *     .filter(new KvUsageGateFilter(KvUsageGateConfig.defaults()))
 *     .scorer(new PrefixAffinityScorer(PrefixAffinityScorer.DEFAULT_MAX_TREE_SIZE), 2.0)
 *     .scorer(new InFlightLoadScorer(), 1.0)
 *     .picker(WorkerPicker.highestScore())
 *     .build();
 * }</pre>
 *
 * <h2>Selection</h2>
 *
 * <ol>
 *   <li>Each filter in turn keeps some candidates; when one keeps none, the request is declined
 *       with {@link Choice#none} naming that filter.
 *   <li>When one candidate is left it is chosen. Otherwise every scorer scores every candidate, the
 *       composite clamps each score to [0, 1] (NaN counts as 0) and adds it times the scorer's
 *       weight; without scorers every total is 0.
 *   <li>The picker chooses from the totals ({@link WorkerPicker#highestScore()} by default).
 *   <li>Every part hears {@link StrategyPart#onSelected} with the chosen worker, and later {@link
 *       StrategyPart#onComplete} with the request's outcome. A part that throws does not keep the
 *       others from being told; the first exception is rethrown afterwards, so the router logs it
 *       (and, from {@code select}, falls back to the least-loaded candidate).
 * </ol>
 *
 * <p>Each part can be unit-tested on its own with fake worker views. Scoring costs O(n) per
 * request in the number of candidates left by the filters, since every candidate is scored.
 *
 * <p>Instances are immutable and thread-safe when their parts are.
 */
public final class CompositeStrategy implements RoutingStrategy {

  private final String name;
  private final WorkerFilter[] filters;
  private final WorkerScorer[] scorers;
  private final double[] weights;
  private final WorkerPicker picker;
  private final StrategyPart[] parts;

  private CompositeStrategy(Builder b) {
    this.name = b.name;
    this.filters = b.filters.toArray(new WorkerFilter[0]);
    this.scorers = b.scorers.toArray(new WorkerScorer[0]);
    this.weights = new double[b.weights.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = b.weights.get(i);
    }
    this.picker = b.picker;
    List<StrategyPart> all = new ArrayList<>(b.filters);
    all.addAll(b.scorers);
    this.parts = all.toArray(new StrategyPart[0]);
  }

  /**
   * Starts a builder.
   *
   * @param name the strategy's name, lowercase snake case (used in metrics tags)
   * @return a new builder
   * @throws IllegalArgumentException if the name is blank
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    List<WorkerView> left = candidates;
    for (WorkerFilter f : filters) {
      left = f.filter(request, left);
      if (left.isEmpty()) {
        return Choice.none("filter " + f.name() + " excluded every candidate");
      }
    }
    WorkerView chosen;
    int n = left.size();
    if (n == 1) {
      chosen = left.get(0);
    } else {
      double[] total = new double[n];
      if (scorers.length > 0) {
        double[] scratch = new double[n];
        for (int s = 0; s < scorers.length; s++) {
          if (s > 0) {
            Arrays.fill(scratch, 0.0);
          }
          scorers[s].score(request, left, scratch);
          double w = weights[s];
          for (int i = 0; i < n; i++) {
            double v = scratch[i];
            // NaN fails both comparisons and counts as 0.
            total[i] += v >= 1.0 ? w : v > 0.0 ? w * v : 0.0;
          }
        }
      }
      chosen = picker.pick(request, left, total);
    }
    WorkerView picked = chosen;
    tellEveryPart(p -> p.onSelected(request, picked));
    return Choice.of(chosen);
  }

  /**
   * Passes the outcome to every part. A part that throws does not keep the later parts from
   * hearing of it: all are told, then the first exception is rethrown for the router to log.
   */
  @Override
  public void onComplete(RequestFeedback feedback) {
    tellEveryPart(p -> p.onComplete(feedback));
  }

  /**
   * Passes word of a worker's removal to every part, as {@link #onComplete} passes outcomes: all
   * are told, then the first exception is rethrown for the router to log.
   */
  @Override
  public void onWorkerRemoved(Worker worker) {
    tellEveryPart(p -> p.onWorkerRemoved(worker));
  }

  /** Tells every part; one that throws does not keep the later ones from hearing it. */
  private void tellEveryPart(Consumer<StrategyPart> message) {
    RuntimeException failure = null;
    for (StrategyPart p : parts) {
      try {
        message.accept(p);
      } catch (RuntimeException e) {
        failure = first(failure, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static RuntimeException first(@Nullable RuntimeException earlier, RuntimeException e) {
    if (earlier == null) {
      return e;
    }
    earlier.addSuppressed(e);
    return earlier;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("CompositeStrategy{").append(name).append(", filters=[");
    for (int i = 0; i < filters.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(filters[i].name());
    }
    sb.append("], scorers=[");
    for (int i = 0; i < scorers.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(scorers[i].name()).append('*').append(weights[i]);
    }
    return sb.append("], picker=").append(picker).append('}').toString();
  }

  /**
   * Builds a {@link CompositeStrategy}. Parts run in the order they were added. Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final List<WorkerFilter> filters = new ArrayList<>();
    private final List<WorkerScorer> scorers = new ArrayList<>();
    private final List<Double> weights = new ArrayList<>();
    private WorkerPicker picker = WorkerPicker.highestScore();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
    }

    /**
     * Adds a filter after those already added.
     *
     * @param filter the filter
     * @return this builder
     */
    public Builder filter(WorkerFilter filter) {
      filters.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /**
     * Adds a scorer with a weight.
     *
     * @param scorer the scorer
     * @param weight how much its score counts, positive and finite
     * @return this builder
     * @throws IllegalArgumentException if the weight is not positive and finite
     */
    public Builder scorer(WorkerScorer scorer, double weight) {
      Objects.requireNonNull(scorer, "scorer");
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "weight of scorer " + scorer.name() + " must be positive and finite, but was " + weight);
      }
      scorers.add(scorer);
      weights.add(weight);
      return this;
    }

    /**
     * Sets the picker. Default {@link WorkerPicker#highestScore()}.
     *
     * @param picker the picker
     * @return this builder
     */
    public Builder picker(WorkerPicker picker) {
      this.picker = Objects.requireNonNull(picker, "picker");
      return this;
    }

    /**
     * Builds the strategy.
     *
     * @return the immutable strategy
     */
    public CompositeStrategy build() {
      return new CompositeStrategy(this);
    }
  }
}
