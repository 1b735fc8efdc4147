/**
 * Not public API: the HTTP transport's implementation (JSON mapping, SSE parsing, call handling).
 * Types here may change or disappear in any release.
 */
@NullMarked
package io.flexroute.transport.http.internal;

import org.jspecify.annotations.NullMarked;
