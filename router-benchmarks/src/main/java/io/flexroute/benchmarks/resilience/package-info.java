/**
 * The resilience load test: many fake workers over real HTTP, one flapping and one failing a third
 * of its requests, under hundreds of concurrent callers, with every request's outcome counted
 * ({@link io.flexroute.benchmarks.resilience.ResilienceLoadTest}).
 */
@NullMarked
package io.flexroute.benchmarks.resilience;

import org.jspecify.annotations.NullMarked;
