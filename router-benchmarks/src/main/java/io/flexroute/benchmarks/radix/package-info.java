/**
 * JMH benchmarks of the radix prefix cache ({@code router-radix}) on slime-like RL rollout
 * workloads. Not published.
 */
@NullMarked
package io.flexroute.benchmarks.radix;

import org.jspecify.annotations.NullMarked;
