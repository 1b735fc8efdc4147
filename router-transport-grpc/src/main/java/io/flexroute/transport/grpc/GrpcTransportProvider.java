package io.flexroute.transport.grpc;

import io.flexroute.spi.Transport;
import io.flexroute.spi.TransportProvider;

/**
 * Provides the {@link GrpcTransport} with default settings to routers that were given no transport;
 * registered in {@code META-INF/services/io.flexroute.spi.TransportProvider} under the name {@code
 * grpc}.
 *
 * <p>Instances are stateless and thread-safe.
 */
public final class GrpcTransportProvider implements TransportProvider {

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public GrpcTransportProvider() {}

  /** Returns {@code "grpc"}. */
  @Override
  public String name() {
    return "grpc";
  }

  /** Creates a {@link GrpcTransport} with channels of its own, closed with the router. */
  @Override
  public Transport create() {
    return GrpcTransport.create();
  }
}
