/**
 * A simulated worker fleet for testing and comparing routing strategies: in-process engines that
 * behave like real ones (prefill time grows with the uncached prompt, inter-token latency with the
 * batch, a finite KV cache with an LRU prefix cache, queueing when full), run on a virtual clock so
 * thousands of conversations replay in seconds, and a harness that reports each strategy's cache
 * hit rate, time to first token, throughput and load imbalance.
 *
 * <ul>
 *   <li>{@link io.flexroute.testkit.sim.TraceGenerator} makes traces: multi-turn RL rollouts, chat
 *       sessions, conversations sharing one system prompt; {@link
 *       io.flexroute.testkit.sim.Conversation#builder(String)} builds your own.
 *   <li>{@link io.flexroute.testkit.sim.EngineProfile} and {@link
 *       io.flexroute.testkit.sim.FleetConfig} describe the fleet (by default eight Llama 3.1 8B
 *       workers on one H100 each).
 *   <li>{@link io.flexroute.testkit.sim.Replay} drives a strategy through a trace exactly as the
 *       router drives it and returns a {@link io.flexroute.testkit.sim.ReplayResult}.
 * </ul>
 *
 * <pre>{@code
 * Trace trace = TraceGenerator.rollouts(RolloutTraceConfig.defaults(), 42);
 * ReplayConfig config = ReplayConfig.builder().maxConcurrentConversations(256).build();
 * ReplayResult result = Replay.run(trace, config, new MyStrategy());
 * System.out.println(result.cacheHitRate() + " " + result.outputTokensPerSecond());
 * }</pre>
 */
@NullMarked
package io.flexroute.testkit.sim;

import org.jspecify.annotations.NullMarked;
