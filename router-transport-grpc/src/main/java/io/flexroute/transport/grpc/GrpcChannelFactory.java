package io.flexroute.transport.grpc;

import io.flexroute.Worker;
import io.grpc.ManagedChannel;

/**
 * Supplies the gRPC channel for a worker, for callers who build their own channels (custom TLS,
 * interceptors, proxies, the in-process transport).
 *
 * <p>The transport calls it once per worker, on first use (again only if the worker's URL changes),
 * and keeps the channel. <strong>Channels it returns belong to the caller:</strong> the transport
 * never shuts them down, also not when it closes. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface GrpcChannelFactory {

  /**
   * Returns the channel to use for a worker.
   *
   * @param worker the worker, with a {@code grpc} or {@code grpcs} URL
   * @return the channel, never null
   */
  ManagedChannel channelFor(Worker worker);
}
