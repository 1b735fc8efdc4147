package io.flexroute.benchmarks.load;

import org.HdrHistogram.Histogram;

/**
 * Times the current request of one driver thread, so that a {@link LoadTask} can record when the
 * first chunk of a stream arrived.
 *
 * <p>Not thread-safe: each driver thread has its own clock, and only the task running on that thread
 * may call it.
 */
public final class RequestClock {

  private final Histogram firstChunk;
  private long start;
  private boolean marked;

  RequestClock(Histogram firstChunk) {
    this.firstChunk = firstChunk;
  }

  void start(long startNanos) {
    this.start = startNanos;
    this.marked = false;
  }

  /**
   * Records the time from the start of the current request to now as its time to first chunk.
   * Only the first call per request counts; later ones are ignored.
   */
  public void firstChunk() {
    if (!marked) {
      marked = true;
      firstChunk.recordValue(Math.max(0, System.nanoTime() - start));
    }
  }
}
