package io.flexroute.testkit.sim.internal;

import java.util.PriorityQueue;

/**
 * A discrete-event loop on a virtual clock: actions run in order of their due time, and actions due
 * at the same time in the order they were scheduled, so a run is deterministic. Time jumps from one
 * event to the next; nothing waits.
 *
 * <p>Not thread-safe: one loop belongs to one simulation, run on one thread.
 */
public final class EventLoop {

  private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long now;
  private long seq;

  /** @return the current virtual time in nanoseconds since the start */
  public long now() {
    return now;
  }

  /**
   * Schedules an action.
   *
   * @param time when it is due, not before now
   * @param action what to run
   * @throws IllegalArgumentException if the time is in the past
   */
  public void at(long time, Runnable action) {
    if (time < now) {
      throw new IllegalArgumentException("time " + time + " is before now (" + now + ")");
    }
    queue.add(new Event(time, seq++, action));
  }

  /**
   * Schedules an action after a delay.
   *
   * @param delayNanos at least 0
   * @param action what to run
   */
  public void after(long delayNanos, Runnable action) {
    at(now + delayNanos, action);
  }

  /** @return the number of pending events */
  public int pending() {
    return queue.size();
  }

  /**
   * Runs events until none is left.
   *
   * @param limitNanos the virtual time beyond which the run is abandoned as runaway
   * @throws IllegalStateException if an event is due after the limit
   */
  public void run(long limitNanos) {
    Event e;
    while ((e = queue.poll()) != null) {
      if (e.time > limitNanos) {
        throw new IllegalStateException(
            "the simulation ran past its limit of " + limitNanos + " virtual ns");
      }
      now = e.time;
      e.action.run();
    }
  }
}
