package io.flexroute.spi;

/**
 * Creates the default {@link Transport} for a router when the builder was given none; discovered
 * through {@link java.util.ServiceLoader} ({@code META-INF/services/io.flexroute.spi.TransportProvider}).
 *
 * <p>Implementations must be thread-safe and have a public no-argument constructor.
 */
public interface TransportProvider {

  /**
   * The transport's name, such as {@code http}.
   *
   * @return the name
   */
  String name();

  /**
   * Creates a transport with default settings; the router closes it when it closes.
   *
   * @return a new transport
   */
  Transport create();
}
