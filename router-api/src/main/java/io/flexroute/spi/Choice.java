package io.flexroute.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A routing strategy's answer: a worker, or the reason why none fits.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Choice {

  private final @Nullable WorkerView worker;
  private final @Nullable String reason;

  private Choice(@Nullable WorkerView worker, @Nullable String reason) {
    this.worker = worker;
    this.reason = reason;
  }

  /**
   * Routes the request to a worker, which must be one of the candidates the strategy was given.
   *
   * @param worker the chosen worker
   * @return the choice
   */
  public static Choice of(WorkerView worker) {
    return new Choice(Objects.requireNonNull(worker, "worker"), null);
  }

  /**
   * Declines every candidate; the request fails with a {@link io.flexroute.NoEligibleWorkerException}
   * carrying the reason.
   *
   * @param reason why no candidate fits
   * @return the choice
   */
  public static Choice none(String reason) {
    return new Choice(null, Objects.requireNonNull(reason, "reason"));
  }

  /** @return the chosen worker, or null when none was chosen */
  public @Nullable WorkerView worker() {
    return worker;
  }

  /** @return why no worker was chosen, or null when one was */
  public @Nullable String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return worker != null ? "Choice{" + worker.id() + "}" : "Choice{none: " + reason + "}";
  }
}
