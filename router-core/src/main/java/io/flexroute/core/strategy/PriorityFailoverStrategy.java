package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.Objects;

/**
 * Priority groups with failover around any strategy: a {@link PriorityGroupFilter} keeps the active
 * group's workers and the wrapped strategy chooses among them.
 *
 * <pre>{@code
 * RoutingStrategy s = new PriorityFailoverStrategy(new CacheAwareStrategy(),
 *     PriorityFailoverConfig.builder().cooldown(Duration.ofSeconds(30)).build());
 * }</pre>
 *
 * <p>Thread-safe when the wrapped strategy is. The wrapped strategy sees the same sub-list instance
 * per group while the eligible set is unchanged, so its caches by list identity keep working, and
 * it
 * receives every completion.
 */
public final class PriorityFailoverStrategy implements RoutingStrategy {

  /** The name this strategy is selected by (wrapping {@link PowerOfTwoStrategy}). */
  public static final String NAME = "priority_failover";

  private final RoutingStrategy delegate;
  private final PriorityGroupFilter filter;
  private final String name;

  /** Creates the strategy around {@link PowerOfTwoStrategy} with the default settings. */
  public PriorityFailoverStrategy() {
    this(new PowerOfTwoStrategy(), PriorityFailoverConfig.defaults());
  }

  /**
   * Wraps a strategy.
   *
   * @param delegate chooses among the active group's workers
   * @param config the failover settings
   */
  public PriorityFailoverStrategy(RoutingStrategy delegate, PriorityFailoverConfig config) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.filter = new PriorityGroupFilter(config);
    this.name = delegate instanceof PowerOfTwoStrategy ? NAME : NAME + "_" + delegate.name();
  }

  /**
   * The strategy's name: {@value #NAME}, or {@code priority_failover_<wrapped name>} around another
   * strategy than {@link PowerOfTwoStrategy}.
   */
  @Override
  public String name() {
    return name;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    return delegate.select(request, filter.filter(request, candidates));
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    filter.onComplete(feedback);
    delegate.onComplete(feedback);
  }

  @Override
  public void onWorkerRemoved(Worker worker) {
    filter.onWorkerRemoved(worker);
    delegate.onWorkerRemoved(worker);
  }

  /** @return the filter, to read the active group and cooldowns */
  public PriorityGroupFilter filter() {
    return filter;
  }

  @Override
  public String toString() {
    return "PriorityFailoverStrategy{" + delegate.name() + ", " + filter + "}";
  }
}
