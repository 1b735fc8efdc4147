/**
 * Not public API: the fake scheduler's service implementation. Types here may change or disappear in
 * any release.
 */
@NullMarked
package io.flexroute.testkit.grpc.internal;

import org.jspecify.annotations.NullMarked;
