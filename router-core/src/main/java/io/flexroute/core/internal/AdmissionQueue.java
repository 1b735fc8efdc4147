package io.flexroute.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The bounded set of requests waiting for a worker or a concurrency slot, in arrival order.
 *
 * <p>Each request gets a place when it first joins and keeps it for as long as it waits: a waiter
 * that is woken, tries and still cannot proceed rejoins at its own place, not at the end, so under
 * sustained load the oldest request keeps getting the first try at freed capacity and is not
 * overtaken by everything that arrived after it.
 *
 * <p>Two kinds of wake-up. A change that may let many waiters proceed (a worker added, recovered,
 * closed its breaker, left its parking) wakes them all ({@link #wakeAll}). A freed unit of
 * capacity (a worker's concurrency slot, the router-wide permit, a half-open breaker's probe) can
 * let only one proceed, so it wakes one ({@link #wakeOne}): the oldest waiter retries, and if it
 * cannot use the capacity (it wants another model, or its deadline passed) it passes the wake to
 * the next waiter behind its place ({@link #passOn}). So a release costs one retry when the oldest
 * waiter can use it, and never more than one retry per waiter, instead of a retry of every waiter
 * per release, which under a long queue spent the router's CPU on retries that could not succeed.
 *
 * <p>The requests that wait for one of the router-wide permits form a line (see {@link
 * #add}), by place, from their first wait until they hold a permit or end, their
 * retries included. While the line is not empty a new request does not take a freed permit but
 * queues behind it, so a permit freed while a woken waiter's retry is on its way goes to that
 * waiter, not to whoever arrives first.
 *
 * <p>A version counter, read before a request's last try and checked after it joined the queue,
 * closes the window in which a wake-up of either kind could be missed. Thread-safe.
 */
final class AdmissionQueue {

  /** The chain value of a wake-up that is not a single-capacity chain (or of no wake-up). */
  static final long NO_CHAIN = 0;

  /** The place of a waiter whose request has not waited before: it is given the next place. */
  static final long NEW_PLACE = 0;

  /**
   * One waiting request; its action runs at most once, for a wake-up, a timeout or a cancel. The
   * action receives the chain value of the wake-up that ran it ({@link #NO_CHAIN} for a wake of
   * all), which its request hands back to {@link #passOn} if it cannot use the capacity.
   */
  static final class Waiter {
    private final LongConsumer retry;
    private long place;
    private final AtomicBoolean claimed = new AtomicBoolean();

    /**
     * @param retry the retry, given the chain value of the wake-up that runs it
     * @param place the place its request already holds ({@link #place()} of its previous waiter),
     *     or {@link #NEW_PLACE} to be given one at the end of the queue
     */
    Waiter(LongConsumer retry, long place) {
      this.retry = retry;
      this.place = place;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    /** @return the place this waiter holds in the queue, once {@link #add added} */
    long place() {
      return place;
    }
  }

  private final int capacity;
  private final Executor executor;
  private final ConcurrentSkipListMap<Long, Waiter> waiters = new ConcurrentSkipListMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong version = new AtomicLong();
  private final AtomicLong places = new AtomicLong(NEW_PLACE);
  private final ConcurrentSkipListSet<Long> permitLine = new ConcurrentSkipListSet<>();

  AdmissionQueue(int capacity, Executor executor) {
    this.capacity = capacity;
    this.executor = executor;
  }

  int capacity() {
    return capacity;
  }

  int size() {
    return size.get();
  }

  long version() {
    return version.get();
  }

  /**
   * Adds a waiter at its request's place, or at the end when it has none yet. A request that
   * already holds a place rejoins even when the queue is full: it is not a new request.
   *
   * @param forPermit whether the request waits for a router-wide permit: it is then in the permit
   *     line (again: no effect) before anyone can wake it, so that a retry that takes the permit
   *     finds it there and takes it out
   * @return {@code false} when the queue is full
   */
  boolean add(Waiter waiter, boolean forPermit) {
    boolean rejoining = waiter.place != NEW_PLACE;
    if (size.incrementAndGet() > capacity && !rejoining) {
      size.decrementAndGet();
      return false;
    }
    if (!rejoining) {
      waiter.place = places.incrementAndGet();
    }
    if (forPermit) {
      permitLine.add(waiter.place);
    }
    if (waiters.put(waiter.place, waiter) != null) {
      // A claimed waiter of the same request that its claimer had not yet taken out: this one
      // takes its place, and the count stays one per place.
      size.decrementAndGet();
    }
    return true;
  }

  /** Takes a waiter out (it timed out or its request ended). */
  void remove(Waiter waiter) {
    if (waiters.remove(waiter.place, waiter)) {
      size.decrementAndGet();
    }
  }

  /**
   * Takes a request out of the permit line.
   *
   * @return whether it was in the line
   */
  boolean leavePermitLine(long place) {
    return place != NEW_PLACE && permitLine.remove(place);
  }

  /** @return whether any request waits for a router-wide permit */
  boolean permitLineEmpty() {
    return permitLine.isEmpty();
  }

  /** @return whether the request at {@code place} is the oldest waiting for a permit */
  boolean firstInPermitLine(long place) {
    Long first = permitLine.ceiling(Long.MIN_VALUE);
    return first != null && first == place;
  }

  /** Something changed that may let many waiters proceed: wake them all to try again. */
  void wakeAll() {
    version.incrementAndGet();
    if (size.get() == 0) {
      return;
    }
    List<Waiter> woken = new ArrayList<>();
    Map.Entry<Long, Waiter> head;
    while ((head = waiters.pollFirstEntry()) != null) {
      size.decrementAndGet();
      if (head.getValue().claim()) {
        woken.add(head.getValue());
      }
    }
    for (Waiter waiter : woken) {
      dispatch(waiter, NO_CHAIN);
    }
  }

  /**
   * One unit of capacity was freed: wake the oldest waiter. Its retry must call {@link #passOn}
   * with the chain value it was given unless it took the capacity.
   */
  void wakeOne() {
    version.incrementAndGet();
    if (size.get() == 0) {
      return;
    }
    wakeAfter(NEW_PLACE);
  }

  /**
   * Passes a single-capacity wake-up on to the oldest waiter behind the one that just tried.
   * Places only grow along a chain, so each waiter tries at most once per chain, and the chain
   * ends behind the last waiter. Does nothing for {@link #NO_CHAIN}.
   *
   * @param chain the chain value the caller's retry was given
   */
  void passOn(long chain) {
    if (chain == NO_CHAIN) {
      return;
    }
    wakeAfter(chain);
  }

  private void wakeAfter(long place) {
    Map.Entry<Long, Waiter> next;
    long after = place;
    while ((next = waiters.higherEntry(after)) != null) {
      Waiter waiter = next.getValue();
      after = next.getKey();
      if (waiters.remove(after, waiter)) {
        size.decrementAndGet();
        if (waiter.claim()) {
          // The chain value is the woken waiter's place: if it cannot use the capacity, the wake
          // goes on behind it.
          dispatch(waiter, after);
          return;
        }
        // Its timeout or its request's end claimed it first: the next waiter gets the wake.
      }
    }
  }

  private void dispatch(Waiter waiter, long chain) {
    try {
      executor.execute(() -> waiter.retry.accept(chain));
    } catch (RejectedExecutionException e) {
      waiter.retry.accept(chain);
    }
  }
}
