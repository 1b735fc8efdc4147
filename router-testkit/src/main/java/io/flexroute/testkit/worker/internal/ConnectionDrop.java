package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/**
 * Thrown out of the HTTP handler on purpose so that the JDK server closes the socket at once,
 * without ending the response: the way faults and the worker's close drop a connection.
 */
final class ConnectionDrop extends IOException {

  private static final long serialVersionUID = 1L;

  ConnectionDrop(String why) {
    super(why);
  }
}
