package io.flexroute.spi;

import io.flexroute.WorkerRegistry;

/**
 * Finds workers at run time (from a service registry, DNS, a config file, ...) and keeps the
 * router's registry in step by adding and removing them.
 *
 * <p>The router calls {@link #start} once while it is being built and closes the returned handle when
 * it closes. The discovery may call the registry from any thread. Implementations must not throw
 * from {@code start}; they log failures and retry on their own schedule.
 */
public interface WorkerDiscovery {

  /**
   * Starts discovering workers into the registry.
   *
   * @param registry the router's worker registry
   * @return a handle whose {@code close()} stops the discovery
   */
  AutoCloseable start(WorkerRegistry registry);
}
