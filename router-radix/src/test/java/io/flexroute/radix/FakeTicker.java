package io.flexroute.radix;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A manually advanced clock for LRU tests. Thread-safe. */
final class FakeTicker implements LongSupplier {
  private final AtomicLong now = new AtomicLong();

  void advance() {
    now.incrementAndGet();
  }

  void set(long value) {
    now.set(value);
  }

  @Override
  public long getAsLong() {
    return now.get();
  }
}
