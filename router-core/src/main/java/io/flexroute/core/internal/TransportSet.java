package io.flexroute.core.internal;

import io.flexroute.RouterConfig;
import io.flexroute.Worker;
import io.flexroute.spi.Transport;
import io.flexroute.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transports a router uses, and which of them it owns: those given to the builder belong to the
 * caller; those created from discovered providers belong to the router and are closed with it.
 */
final class TransportSet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TransportSet.class);

  private final List<Transport> transports;
  private final boolean owned;

  private TransportSet(List<Transport> transports, boolean owned) {
    this.transports = List.copyOf(transports);
    this.owned = owned;
  }

  static TransportSet from(RouterConfig config) {
    if (!config.transports().isEmpty()) {
      return new TransportSet(config.transports(), false);
    }
    List<Transport> created = new ArrayList<>();
    try {
      for (TransportProvider p :
          ServiceLoader.load(TransportProvider.class, TransportProvider.class.getClassLoader())) {
        Transport t = p.create();
        if (t == null) {
          throw new IllegalStateException(
              "transport provider " + p.getClass().getName() + " returned null");
        }
        created.add(t);
      }
    } catch (RuntimeException | ServiceConfigurationError e) {
      // The router will not be built: close what was made for it.
      new TransportSet(created, true).close();
      throw e;
    }
    if (created.isEmpty()) {
      throw new IllegalStateException(
          "no transport found: add io.flexroute:router-transport-http (or another transport) to the"
              + " class path, or pass one to RouterBuilder.transport(...)");
    }
    return new TransportSet(created, true);
  }

  /**
   * The first transport that supports the worker.
   *
   * @throws IllegalStateException if none does
   */
  Transport forWorker(Worker worker) {
    for (Transport t : transports) {
      if (t.supports(worker)) {
        return t;
      }
    }
    List<String> names = new ArrayList<>();
    transports.forEach(t -> names.add(t.name()));
    throw new IllegalStateException(
        "no transport supports worker '" + worker.id() + "' with scheme '" + worker.scheme()
            + "'; transports: " + names);
  }

  @Override
  public void close() {
    if (!owned) {
      return;
    }
    for (Transport t : transports) {
      try {
        t.close();
      } catch (Exception e) {
        log.warn("closing transport {} failed", t.name(), e);
      }
    }
  }
}
