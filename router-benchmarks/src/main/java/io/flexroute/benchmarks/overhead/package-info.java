/**
 * The overhead benchmark: the same OpenAI chat call to the same loopback fake workers, sent
 * straight to a worker, through the router in process, and through an nginx reverse proxy, with the
 * added latency and CPU per request of each ({@link
 * io.flexroute.benchmarks.overhead.OverheadBenchmark}); the fake-worker process it calls ({@link
 * io.flexroute.benchmarks.overhead.WorkerFleet}); and the SVG charts it draws. {@code
 * router-benchmarks/overhead/run.sh} runs the whole comparison.
 */
@NullMarked
package io.flexroute.benchmarks.overhead;

import org.jspecify.annotations.NullMarked;
