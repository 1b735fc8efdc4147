/**
 * Implementation of the simulated fleet: the discrete-event loop, the engines (continuous batching,
 * KV blocks, prefix cache), the worker and request views strategies see, the router model and the
 * replay driver. Not a supported API; it may change in any release.
 */
@NullMarked
package io.flexroute.testkit.sim.internal;

import org.jspecify.annotations.NullMarked;
