package io.flexroute.benchmarks.overhead;

import io.flexroute.benchmarks.load.RequestClock;

/**
 * One way of sending the workload's chat call to the workers.
 *
 * <p>Implementations are thread-safe: every driver thread calls {@link #send} at once.
 */
interface ChatPath extends AutoCloseable {

  /** A short label for tables and charts. */
  String label();

  /**
   * Sends one chat call and reads the whole answer, checking that it has the workload's token
   * count.
   *
   * @param sequence picks the conversation
   * @param stream whether to ask for an SSE stream
   * @param clock marks the first chunk of a stream
   * @throws Exception if the call failed or the answer was wrong
   */
  void send(int sequence, boolean stream, RequestClock clock) throws Exception;

  @Override
  void close();
}
