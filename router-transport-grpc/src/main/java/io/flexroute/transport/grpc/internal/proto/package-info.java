/**
 * Not public API: the protobuf messages and the gRPC stub of SGLang's scheduler service, generated at
 * build time from {@code src/main/protobuf} ({@code SglangSchedulerProto}, {@code CommonProto},
 * {@code SglangSchedulerGrpc}). FlexRoute's own fake scheduler in {@code router-testkit} serves them
 * too. Types here may change or disappear in any release.
 */
@NullMarked
package io.flexroute.transport.grpc.internal.proto;

import org.jspecify.annotations.NullMarked;
