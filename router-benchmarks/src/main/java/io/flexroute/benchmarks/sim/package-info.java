/**
 * Replays of generated traces through every built-in routing strategy on the test kit's simulated
 * fleet ({@code io.flexroute.testkit.sim}), with the Markdown tables and the SVG chart they produce
 * for {@code docs/benchmarks.md}.
 */
@NullMarked
package io.flexroute.benchmarks.sim;

import org.jspecify.annotations.NullMarked;
