package io.flexroute.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * One worker's successful part of a broadcast.
 *
 * <p>Instances are immutable and thread-safe if the value is.
 *
 * @param <T> the value type
 * @param workerId the worker
 * @param value what the worker answered
 * @param duration how long the worker's part took
 */
public record WorkerSuccess<T>(String workerId, T value, Duration duration) {

  /**
   * Validates the fields.
   * @param workerId the worker
   * @param value what the worker answered
   * @param duration how long the worker's part took
   */
  public WorkerSuccess {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(duration, "duration");
  }
}
