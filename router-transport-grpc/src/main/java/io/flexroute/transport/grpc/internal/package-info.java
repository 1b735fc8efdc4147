/**
 * Not public API: the gRPC transport's implementation (channels, request and response mapping,
 * call handling, status mapping). Types here may change or disappear in any release.
 */
@NullMarked
package io.flexroute.transport.grpc.internal;

import org.jspecify.annotations.NullMarked;
