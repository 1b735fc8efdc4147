package io.flexroute.fleet;

import java.util.Locale;

/**
 * How SGLang pauses generation ({@code /pause_generation}'s {@code mode}).
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum PauseMode {
  /**
   * Abort every running request (they finish with finish reason {@code abort}) and hold new ones.
   * The only mode of SGLang v0.5.x, and the default of newer builds.
   */
  ABORT,
  /** Move running requests back to the waiting queue; their KV is freed and recomputed later. */
  RETRACT,
  /** Freeze the scheduler and keep the KV of running requests. */
  IN_PLACE;

  /**
   * The value sent to the worker.
   *
   * @return {@code "abort"}, {@code "retract"} or {@code "in_place"}
   */
  public String wireValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
