package io.flexroute.benchmarks.load;

/**
 * One request of a load run: sends it and returns when it has ended (for a stream, when the last
 * chunk was read). The driver times the call; a stream marks its first chunk on the clock.
 *
 * <p>Implementations are called from every driver thread at once and must be thread-safe.
 */
@FunctionalInterface
public interface LoadTask {

  /**
   * Sends one request and waits for its end.
   *
   * @param sequence the request's number in the run, from 0; use it to pick from a workload
   * @param clock the calling thread's clock; call {@link RequestClock#firstChunk()} when the first
   *     chunk of a stream arrives
   * @throws Exception if the request failed; the driver stops the run and reports it
   */
  void send(int sequence, RequestClock clock) throws Exception;
}
