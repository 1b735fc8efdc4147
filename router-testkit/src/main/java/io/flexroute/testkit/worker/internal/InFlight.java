package io.flexroute.testkit.worker.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One request being served: its rid, its token counts for load reporting, and the stop signal that
 * aborts, stall releases and the worker's close use to end its waits early.
 */
final class InFlight {

  private final @Nullable String rid;
  private final boolean generation;
  private final long releaseEpoch;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<@Nullable StopReason> reason = new AtomicReference<>();
  private volatile boolean stalled;
  private volatile int promptTokens;
  private volatile int generatedTokens;

  InFlight(@Nullable String rid, boolean generation, long releaseEpoch) {
    this.rid = rid;
    this.generation = generation;
    this.releaseEpoch = releaseEpoch;
  }

  /** Returns the request id of a generation request, or null for other requests. */
  @Nullable String rid() {
    return rid;
  }

  boolean generation() {
    return generation;
  }

  /** Signals the request to stop; only the first reason counts. */
  void stop(StopReason why) {
    if (reason.compareAndSet(null, why)) {
      stopped.countDown();
    }
  }

  /** Returns the stop reason, or null if the request may go on. */
  @Nullable StopReason stopReason() {
    return reason.get();
  }

  /**
   * Waits for {@code delay} unless told to stop first.
   *
   * @return the stop reason, or null if the whole delay passed
   */
  @Nullable StopReason await(Duration delay) {
    if (delay.isZero() || reason.get() != null) {
      return reason.get();
    }
    try {
      stopped.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(StopReason.CLOSED);
    }
    return reason.get();
  }

  /** Returns how many stall releases had happened when this request arrived. */
  long releaseEpoch() {
    return releaseEpoch;
  }

  /** Marks the request as held by a stall fault, so that a stall release reaches it. */
  void markStalled() {
    stalled = true;
  }

  boolean stalled() {
    return stalled;
  }

  void setPromptTokens(int promptTokens) {
    this.promptTokens = promptTokens;
  }

  void setGeneratedTokens(int generatedTokens) {
    this.generatedTokens = generatedTokens;
  }

  /** Returns the output tokens generated so far. */
  int generatedTokens() {
    return generatedTokens;
  }

  /** Returns the KV tokens this request occupies: its prompt plus what it generated so far. */
  int usedTokens() {
    return promptTokens + generatedTokens;
  }
}
