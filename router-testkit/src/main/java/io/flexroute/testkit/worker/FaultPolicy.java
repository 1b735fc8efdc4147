package io.flexroute.testkit.worker;

import io.flexroute.testkit.worker.internal.RandomFaultPolicy;
import org.jspecify.annotations.Nullable;

/**
 * Decides, request by request, whether the fake worker misbehaves: the persistent counterpart of
 * {@link FakeWorker#enqueue(Fault)}, for load tests where a worker should fail a fraction of the
 * time.
 *
 * <p>The worker asks its policy about every request that no queued fault matched. A returned fault
 * is applied only if it {@linkplain Fault#matches(RecordedRequest) matches} the request; an
 * exception thrown by the policy is logged and treated as "no fault".
 *
 * <p>Implementations are called concurrently from server threads and must be thread-safe.
 */
@FunctionalInterface
public interface FaultPolicy {

  /**
   * Picks the fault for one request.
   *
   * @param request the request, already recorded
   * @return the fault to apply, or {@code null} to answer normally
   */
  @Nullable Fault faultFor(RecordedRequest request);

  /**
   * Returns a policy that applies {@code fault} to each request it matches with the given
   * probability. Draws come from a {@link java.util.Random} seeded with {@code seed} and are taken
   * only for matching requests, so the sequence of outcomes over those requests repeats from run
   * to run (for a given arrival order).
   *
   * @param fault the fault to apply
   * @param probability the chance of applying it, in [0, 1]
   * @param seed the random seed
   * @return the policy; thread-safe
   * @throws IllegalArgumentException if the probability is outside [0, 1]
   */
  static FaultPolicy random(Fault fault, double probability, long seed) {
    return new RandomFaultPolicy(fault, probability, seed);
  }
}
