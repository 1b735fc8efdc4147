/**
 * The built-in routing strategies, usable by name on the router builder or as instances. Each is
 * thread-safe and lock-free on the selection path.
 */
@NullMarked
package io.flexroute.core.strategy;

import org.jspecify.annotations.NullMarked;
