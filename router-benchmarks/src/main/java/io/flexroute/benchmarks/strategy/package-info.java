/** Benchmarks of routing strategies' selection cost. */
@NullMarked
package io.flexroute.benchmarks.strategy;

import org.jspecify.annotations.NullMarked;
