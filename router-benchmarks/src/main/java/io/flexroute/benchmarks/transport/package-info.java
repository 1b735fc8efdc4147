/**
 * Transport benchmarks: the HTTP and gRPC transports compared through the router on the same token
 * workload ({@link io.flexroute.benchmarks.transport.TransportComparison}).
 */
@NullMarked
package io.flexroute.benchmarks.transport;

import org.jspecify.annotations.NullMarked;
