/**
 * Implementation of the radix prefix cache. Not public API: every type here may change or disappear
 * in any release.
 */
@NullMarked
package io.flexroute.radix.internal;

import org.jspecify.annotations.NullMarked;
