package io.flexroute.testkit.worker.internal;

import java.io.IOException;

/**
 * Unwinds a handler whose response a stream fault has already finished, so that nothing more is
 * written.
 */
final class StreamStopped extends IOException {

  private static final long serialVersionUID = 1L;

  StreamStopped() {
    super("stream ended by a fault");
  }
}
