package io.flexroute.testkit.worker.internal;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How one path is served.
 *
 * @param methods the accepted HTTP methods
 * @param endpoint the endpoint
 * @param protocol the error-body family
 * @param ridPrefix for generation routes, the prefix of generated request ids; null otherwise
 */
record Route(
    Set<String> methods, Endpoint endpoint, Protocol protocol, @Nullable String ridPrefix) {

  static Route get(Endpoint endpoint) {
    return new Route(Set.of("GET"), endpoint, Protocol.NATIVE, null);
  }

  static Route post(Endpoint endpoint) {
    return new Route(Set.of("POST"), endpoint, Protocol.NATIVE, null);
  }

  boolean generation() {
    return ridPrefix != null;
  }
}
