/**
 * A fake SGLang gRPC scheduler ({@link io.flexroute.testkit.grpc.FakeScheduler}) for tests, demos
 * and benchmarks of the gRPC transport: programmable tokens and logprobs, latency, faults, and a
 * record of requests and aborts, served in process or on a loopback port.
 */
@NullMarked
package io.flexroute.testkit.grpc;

import org.jspecify.annotations.NullMarked;
