package io.flexroute.core.internal;

import io.flexroute.Router;
import io.flexroute.RouterConfig;
import io.flexroute.spi.RouterFactory;

/** Creates the {@link DefaultRouter}; registered through {@link java.util.ServiceLoader}. */
public final class DefaultRouterFactory implements RouterFactory {

  /** Creates the factory; called by {@link java.util.ServiceLoader}. */
  public DefaultRouterFactory() {}

  @Override
  public Router create(RouterConfig config) {
    return new DefaultRouter(config);
  }
}
