package io.flexroute.spi;

import io.flexroute.Router;
import io.flexroute.RouterConfig;

/**
 * Creates the {@link Router} implementation from a configuration; found through {@link
 * java.util.ServiceLoader} by {@link io.flexroute.RouterBuilder#build()}. {@code router-core} provides
 * the default one; the factory with the highest priority wins.
 *
 * <p>Implementations must be thread-safe and stateless enough to be loaded once and asked for any
 * number of routers.
 */
public interface RouterFactory {

  /**
   * Creates a router.
   *
   * @param config the validated configuration
   * @return the router
   */
  Router create(RouterConfig config);

  /**
   * The priority among factories; the highest wins. Default 5.
   *
   * @return the priority
   */
  default int priority() {
    return 5;
  }
}
