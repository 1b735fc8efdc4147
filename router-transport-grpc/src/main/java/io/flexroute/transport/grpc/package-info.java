/**
 * The gRPC transport: carries token-id generations to SGLang workers over SGLang's gRPC scheduler
 * protocol ({@code sglang.grpc.scheduler.SglangScheduler}) with grpc-okhttp, for {@code grpc://}
 * and {@code grpcs://} workers. Start with {@link io.flexroute.transport.grpc.GrpcTransport#builder()}.
 */
@NullMarked
package io.flexroute.transport.grpc;

import org.jspecify.annotations.NullMarked;
