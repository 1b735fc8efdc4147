/**
 * A reusable closed-loop load driver for end-to-end runs ({@link
 * io.flexroute.benchmarks.load.LoadDriver}), its results with HdrHistogram latency percentiles
 * ({@link io.flexroute.benchmarks.load.LoadResult}), and CPU clocks for the driving JVM and for
 * other processes ({@link io.flexroute.benchmarks.load.CpuClocks}, {@link
 * io.flexroute.benchmarks.load.ProcessCpu}).
 */
@NullMarked
package io.flexroute.benchmarks.load;

import org.jspecify.annotations.NullMarked;
