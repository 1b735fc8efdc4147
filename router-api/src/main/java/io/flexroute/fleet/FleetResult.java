package io.flexroute.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a broadcast: for every selected worker, in selection order, either a {@link
 * WorkerSuccess} with the worker's answer or a {@link WorkerFailure} with a typed cause. A
 * failure of one worker never hides the others' outcomes.
 *
 * <pre>{@code
 * FleetResult<ControlAck> r = router.fleet().updateWeightsFromDisk(update, Broadcast.all());
 * for (WorkerFailure f : r.failures()) {
 *   log.warn("{} not updated: {} {}", f.workerId(), f.cause(), f.error().getMessage());
 * }
 * r.orThrow();   // or fail the training step if any worker failed
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe if the values are.
 *
 * @param <T> the type of each worker's answer
 */
public final class FleetResult<T> {

  private final ControlOperation operation;
  private final List<String> workerIds;
  private final List<WorkerSuccess<T>> successes;
  private final List<WorkerFailure> failures;
  private final Duration duration;

  private FleetResult(
      ControlOperation operation,
      List<String> workerIds,
      List<WorkerSuccess<T>> successes,
      List<WorkerFailure> failures,
      Duration duration) {
    this.operation = operation;
    this.workerIds = workerIds;
    this.successes = successes;
    this.failures = failures;
    this.duration = duration;
  }

  /**
   * Assembles a result.
   *
   * @param <T> the answer type
   * @param operation the operation
   * @param successes the workers that succeeded
   * @param failures the workers that failed
   * @param duration how long the whole broadcast took
   * @return the result
   * @throws IllegalArgumentException if a worker appears twice
   */
  public static <T> FleetResult<T> of(
      ControlOperation operation,
      List<WorkerSuccess<T>> successes,
      List<WorkerFailure> failures,
      Duration duration) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(duration, "duration");
    List<String> ids = new ArrayList<>();
    for (WorkerSuccess<T> s : successes) {
      ids.add(s.workerId());
    }
    for (WorkerFailure f : failures) {
      ids.add(f.workerId());
    }
    if (ids.stream().distinct().count() != ids.size()) {
      throw new IllegalArgumentException("a worker appears twice in " + ids);
    }
    return new FleetResult<>(
        operation, List.copyOf(ids), List.copyOf(successes), List.copyOf(failures), duration);
  }

  /** @return the operation that was broadcast */
  public ControlOperation operation() {
    return operation;
  }

  /** @return the ids of every selected worker: the successful ones, then the failed ones */
  public List<String> workerIds() {
    return workerIds;
  }

  /** @return the workers that succeeded, in selection order */
  public List<WorkerSuccess<T>> successes() {
    return successes;
  }

  /** @return the workers that failed, in selection order */
  public List<WorkerFailure> failures() {
    return failures;
  }

  /** @return how long the whole broadcast took */
  public Duration duration() {
    return duration;
  }

  /** @return whether no selected worker failed */
  public boolean allSucceeded() {
    return failures.isEmpty();
  }

  /**
   * The answers of the workers that succeeded, by worker id in selection order.
   *
   * @return an immutable map
   */
  public Map<String, T> values() {
    Map<String, T> out = new LinkedHashMap<>();
    for (WorkerSuccess<T> s : successes) {
      out.put(s.workerId(), s.value());
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * A worker's answer.
   *
   * @param workerId the worker
   * @return its answer, or empty if it failed or was not selected
   */
  public Optional<T> value(String workerId) {
    for (WorkerSuccess<T> s : successes) {
      if (s.workerId().equals(workerId)) {
        return Optional.of(s.value());
      }
    }
    return Optional.empty();
  }

  /**
   * A worker's failure.
   *
   * @param workerId the worker
   * @return its failure, or empty if it succeeded or was not selected
   */
  public Optional<WorkerFailure> failure(String workerId) {
    for (WorkerFailure f : failures) {
      if (f.workerId().equals(workerId)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns this result if every worker succeeded.
   *
   * @return this result
   * @throws FleetOperationException if any worker failed; it carries this result
   */
  public FleetResult<T> orThrow() {
    if (!failures.isEmpty()) {
      throw new FleetOperationException(this);
    }
    return this;
  }

  @Override
  public String toString() {
    List<String> failed = new ArrayList<>();
    for (WorkerFailure f : failures) {
      failed.add(f.workerId() + "=" + f.cause());
    }
    return "FleetResult{" + operation + ", succeeded=" + successes.size() + ", failed=" + failed
        + ", duration=" + duration.toMillis() + "ms}";
  }
}
