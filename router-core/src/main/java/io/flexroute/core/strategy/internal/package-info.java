/**
 * Not public API: the data structures behind the built-in strategies (the approximate prefix tree,
 * the consistent-hash ring, per-candidate-list caches, the router's packed in-flight counters and
 * the candidate lists that scan them). Types here may change or disappear in any
 * release.
 */
@NullMarked
package io.flexroute.core.strategy.internal;

import org.jspecify.annotations.NullMarked;
