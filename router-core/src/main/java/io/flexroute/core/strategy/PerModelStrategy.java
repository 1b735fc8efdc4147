package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Routes each model with its own strategy: a request goes to the strategy assigned to its {@link
 * RequestView#model()}, or to the default strategy when its model has none (or it names none).
 * Completions go back to the strategy that routed the request.
 *
 * <pre>{@code
 * RoutingStrategy s = PerModelStrategy.builder(new PowerOfTwoStrategy())
 *     .model("qwen3-8b", new CacheAwareStrategy())
 *     .model("embedder", new RoundRobinStrategy())
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe when its strategies are; a selection adds one hash lookup.
 */
public final class PerModelStrategy implements RoutingStrategy {

  /** The default name of this strategy. */
  public static final String NAME = "per_model";

  private final String name;
  private final Map<String, RoutingStrategy> byModel;
  private final RoutingStrategy fallback;

  private PerModelStrategy(Builder b) {
    this.name = b.name;
    this.byModel = Map.copyOf(b.byModel);
    this.fallback = b.fallback;
  }

  /**
   * Starts a builder.
   *
   * @param defaultStrategy the strategy for models without their own
   * @return a new builder
   */
  public static Builder builder(RoutingStrategy defaultStrategy) {
    return new Builder(defaultStrategy);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * The strategy that routes a model.
   *
   * @param model the model, or null
   * @return its strategy, or the default one
   */
  public RoutingStrategy strategyFor(@Nullable String model) {
    if (model == null) {
      return fallback;
    }
    RoutingStrategy s = byModel.get(model);
    return s != null ? s : fallback;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    return strategyFor(request.model()).select(request, candidates);
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    strategyFor(feedback.request().model()).onComplete(feedback);
  }

  /** Tells every strategy, each once (a strategy given for several models is one strategy). */
  @Override
  public void onWorkerRemoved(Worker worker) {
    Set<RoutingStrategy> told = Collections.newSetFromMap(new IdentityHashMap<>());
    told.add(fallback);
    told.addAll(byModel.values());
    RuntimeException failure = null;
    for (RoutingStrategy s : told) {
      try {
        s.onWorkerRemoved(worker);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "PerModelStrategy{" + name + ", models=" + byModel.keySet() + ", default="
        + fallback.name() + "}";
  }

  /** Builds a {@link PerModelStrategy}. Not thread-safe. */
  public static final class Builder {
    private final RoutingStrategy fallback;
    private final Map<String, RoutingStrategy> byModel = new LinkedHashMap<>();
    private String name = NAME;

    private Builder(RoutingStrategy fallback) {
      this.fallback = Objects.requireNonNull(fallback, "defaultStrategy");
    }

    /**
     * Assigns a strategy to a model.
     *
     * @param model the model name
     * @param strategy its strategy
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or already assigned
     */
    public Builder model(String model, RoutingStrategy strategy) {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(strategy, "strategy");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      if (byModel.putIfAbsent(model, strategy) != null) {
        throw new IllegalArgumentException("model '" + model + "' already has a strategy");
      }
      return this;
    }

    /**
     * Sets the strategy's name, used in metrics tags. Default {@value #NAME}.
     *
     * @param name lowercase snake case, not blank
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Builds the strategy.
     *
     * @return the immutable strategy
     */
    public PerModelStrategy build() {
      return new PerModelStrategy(this);
    }
  }
}
