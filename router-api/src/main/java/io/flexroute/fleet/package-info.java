/**
 * The RL control plane: operations broadcast to the router's workers (weight updates, cache
 * flushes, pausing and continuing generation, reading weight versions and server information),
 * their per-worker results, and the weight-version events the router publishes. Reached through
 * {@link io.flexroute.Router#fleet()}.
 */
@NullMarked
package io.flexroute.fleet;

import org.jspecify.annotations.NullMarked;
