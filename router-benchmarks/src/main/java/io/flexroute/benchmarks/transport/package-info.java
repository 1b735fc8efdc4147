/**
 * Transport benchmarks: the HTTP and gRPC transports compared through the router on the same token
 * workload ({@link io.flexroute.benchmarks.transport.TransportComparison}), and the HTTP
 * transport's JSON and SSE work against an application's own code ({@link
 * io.flexroute.benchmarks.transport.ChatCodecBenchmark}, {@link
 * io.flexroute.benchmarks.transport.StreamDecodeBenchmark}).
 */
@NullMarked
package io.flexroute.benchmarks.transport;

import org.jspecify.annotations.NullMarked;
