/**
 * The built-in routing strategies, usable by name on the router builder or as configured instances,
 * and the parts for {@link io.flexroute.spi.CompositeStrategy} (filters and scorers). Each is
 * thread-safe; its class documentation gives its rule, its cost per request and what it locks, and
 * {@code docs/strategies.md} compares them.
 */
@NullMarked
package io.flexroute.core.strategy;

import org.jspecify.annotations.NullMarked;
