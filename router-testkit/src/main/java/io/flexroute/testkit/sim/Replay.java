package io.flexroute.testkit.sim;

import io.flexroute.spi.RoutingStrategy;
import io.flexroute.testkit.sim.internal.ReplayRun;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Replays a {@link Trace} through a routing strategy on a simulated fleet and measures what the
 * strategy achieved: cache hit rate, time to first token, throughput and load imbalance.
 *
 * <pre>{@code
 * Trace trace = TraceGenerator.rollouts(RolloutTraceConfig.defaults(), 42);
 * ReplayConfig config = ReplayConfig.builder().maxConcurrentConversations(256).build();
 * ReplayResult mine = Replay.run(trace, config, new MyStrategy());
 * ReplayResult baseline = Replay.run(trace, config, new MyRoundRobin());
 * assertThat(mine.cacheHitRate()).isGreaterThan(2 * baseline.cacheHitRate());
 * }</pre>
 *
 * <h2>The simulation</h2>
 *
 * Everything runs on one thread on a virtual clock (a discrete-event simulation), so thousands of
 * conversations replay in seconds and the figures do not depend on the machine. Each worker runs an
 * engine as described in {@link EngineProfile}. Each conversation sends its first turn at its
 * arrival (or when a slot frees, under {@link ReplayConfig#maxConcurrentConversations()}) and each
 * later turn its think time after the previous one ends.
 *
 * <h2>The strategy is driven as the router drives it</h2>
 *
 * <ul>
 *   <li>{@code select(request, candidates)} for every request, with the same immutable list of
 *       {@link io.flexroute.spi.WorkerView}s each time. The request view carries the prompt as
 *       token ids or text ({@link ReplayConfig#promptForm()}), the model, the conversation's
 *       routing key and whether it streams.
 *   <li>Each view shows what the router shows: in-flight requests and estimated prompt tokens
 *       (counted from dispatch to the end, as the router's in-flight guard counts them, including
 *       requests queued inside the worker), the latency and time-to-first-chunk averages, the
 *       completed count, and the worker's {@link io.flexroute.spi.WorkerLoad} (running and waiting
 *       requests, KV-cache usage) refreshed every {@link FleetConfig#loadPollInterval()}.
 *   <li>A strategy that throws or returns a non-candidate is routed around with the router's
 *       least-loaded fallback and counted in {@link ReplayResult#strategyFaults()}.
 *   <li>{@code onComplete} is called once per request that reached a worker, after its in-flight
 *       slot is released, with the virtual duration, time to first chunk (streams) and token usage
 *       (prompt, completion and cached tokens).
 * </ul>
 *
 * <h2>Clocks</h2>
 *
 * The virtual clock counts nanoseconds from {@link System#nanoTime()} at the start of the replay,
 * and reported loads are stamped on it. A strategy that reads {@code System.nanoTime()} itself (the
 * built-ins do by default) therefore sees reports as fresh, but its own time-based behaviour
 * (decay, expiry, cooldowns) runs on the host's time, which passes far more slowly than the
 * replay's. To run such behaviour on virtual time, create the strategy with {@link #run(Trace,
 * ReplayConfig, Function)}, which passes the virtual clock to give to the strategy's ticker.
 *
 * <p>Thread-safe: every run has its own simulation; a strategy instance must not be shared between
 * concurrent runs (its state would mix).
 */
public final class Replay {

  private Replay() {}

  /**
   * Replays a trace through a strategy.
   *
   * @param trace the conversations
   * @param config the fleet and the replay settings
   * @param strategy a fresh strategy instance (its state is part of the result)
   * @return the measurements
   * @throws IllegalArgumentException if a conversation is longer than a worker's KV cache
   */
  public static ReplayResult run(Trace trace, ReplayConfig config, RoutingStrategy strategy) {
    Objects.requireNonNull(strategy, "strategy");
    return run(trace, config, clock -> strategy);
  }

  /**
   * Replays a trace through a strategy created on the replay's virtual clock.
   *
   * @param trace the conversations
   * @param config the fleet and the replay settings
   * @param factory creates the strategy, given the virtual clock in nanoseconds (for tickers)
   * @return the measurements
   * @throws IllegalArgumentException if a conversation is longer than a worker's KV cache
   */
  public static ReplayResult run(
      Trace trace,
      ReplayConfig config,
      Function<? super LongSupplier, ? extends RoutingStrategy> factory) {
    Objects.requireNonNull(trace, "trace");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(factory, "factory");
    return new ReplayRun(trace, config, factory).run();
  }
}
