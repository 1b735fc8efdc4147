/** The default router's implementation. Not public API: it may change in any release. */
@NullMarked
package io.flexroute.core.internal;

import org.jspecify.annotations.NullMarked;
