package io.flexroute.transport.http;

import io.flexroute.spi.Transport;
import io.flexroute.spi.TransportProvider;

/**
 * Provides the {@link HttpTransport} with default settings to routers that were given no transport;
 * registered in {@code META-INF/services/io.flexroute.spi.TransportProvider}.
 *
 * <p>Instances are stateless and thread-safe.
 */
public final class HttpTransportProvider implements TransportProvider {

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public HttpTransportProvider() {}

  /** Returns {@code "http"}. */
  @Override
  public String name() {
    return "http";
  }

  /** Creates an {@link HttpTransport} with a client of its own, closed with the router. */
  @Override
  public Transport create() {
    return HttpTransport.create();
  }
}
