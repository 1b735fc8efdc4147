package io.flexroute.core.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications one at a time, in the order they were queued, on the threads that queue
 * them: no thread of its own.
 *
 * <p>A component that changes state under a lock {@link #enqueue queues} the notification of the
 * change while it still holds the lock, so the queue's order is the order of the changes, and
 * {@link #deliver delivers} after releasing it, so listeners never run under the lock. The first
 * thread to deliver runs every queued notification, including those queued by other threads
 * meanwhile; a thread that finds delivery under way leaves its notification to that thread and
 * returns at once. So two changes made on different threads (a timer ending a breaker's open
 * period, a request closing the breaker) can never reach a listener in the reverse order, and a
 * notification that leads to another change (a listener adding a worker) is delivered after the
 * one in progress, not inside it.
 *
 * <p>A notification that throws is logged and skipped; the ones behind it are still delivered.
 * Thread-safe and lock-free.
 */
final class SerialNotifier {

  private static final Logger log = LoggerFactory.getLogger(SerialNotifier.class);

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  // Deliveries asked for and not yet served; the thread that raises it from 0 delivers.
  private final AtomicInteger pending = new AtomicInteger();

  /**
   * Queues a notification; call it while holding the lock under which the change was made.
   *
   * @param notification what to run for the change
   */
  void enqueue(Runnable notification) {
    queue.add(notification);
  }

  /**
   * Delivers the queued notifications, unless another thread is doing so (it then delivers this
   * thread's too). Call it after releasing the lock.
   */
  void deliver() {
    if (pending.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Runnable next;
      while ((next = queue.poll()) != null) {
        try {
          next.run();
        } catch (VirtualMachineError e) {
          // Leave the rest queued for the next delivery, which must not find delivery under way.
          pending.set(0);
          throw e;
        } catch (Throwable e) {
          // Also an Error or a sneaky checked exception from a listener: delivery must go on, or
          // every later notification would stay queued for good.
          log.warn("a change notification threw; ignoring it", e);
        }
      }
      missed = pending.addAndGet(-missed);
    } while (missed != 0);
  }
}
