package io.flexroute.testkit.worker.internal;

import java.time.Duration;

/**
 * Generation paused by {@code /pause_generation} and continued by {@code /continue_generation}:
 * while paused, new generation requests wait before their first token, and in the {@code retract}
 * and {@code in_place} modes running ones wait before their next token, as SGLang holds them.
 */
final class PauseGate {

  /** How often a waiting request checks whether it was aborted or the worker is closing. */
  private static final Duration STOP_CHECK = Duration.ofMillis(20);

  private final Signal signal = new Signal();
  private volatile boolean paused;
  private volatile boolean holdsRunning;

  boolean paused() {
    return paused;
  }

  /**
   * Pauses generation.
   *
   * @param holdRunning whether running requests stop between tokens too ({@code retract}, {@code
   *     in_place}); in {@code abort} mode they are aborted instead, by the caller
   */
  void pause(boolean holdRunning) {
    this.holdsRunning = holdRunning;
    this.paused = true;
    signal.announce();
  }

  void resume() {
    this.paused = false;
    signal.announce();
  }

  /** Waits before a request's first token while generation is paused. */
  @org.jspecify.annotations.Nullable StopReason awaitStart(InFlight flight) {
    return await(flight);
  }

  /** Waits before a running request's next token while generation is paused in a holding mode. */
  @org.jspecify.annotations.Nullable StopReason awaitNextToken(InFlight flight) {
    return holdsRunning ? await(flight) : flight.stopReason();
  }

  private @org.jspecify.annotations.Nullable StopReason await(InFlight flight) {
    while (paused && flight.stopReason() == null) {
      try {
        signal.await(() -> !paused, STOP_CHECK);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        flight.stop(StopReason.CLOSED);
      }
    }
    return flight.stopReason();
  }
}
