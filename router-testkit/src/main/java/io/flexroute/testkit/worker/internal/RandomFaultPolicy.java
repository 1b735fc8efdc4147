package io.flexroute.testkit.worker.internal;

import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.FaultPolicy;
import io.flexroute.testkit.worker.RecordedRequest;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Applies one fault to a seeded-random share of the requests it matches; the implementation of
 * {@link FaultPolicy#random(Fault, double, long)}.
 *
 * <p>Thread-safe: draws are serialized.
 */
public final class RandomFaultPolicy implements FaultPolicy {

  private final Fault fault;
  private final double probability;
  private final Random random;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * Creates the policy.
   *
   * @param fault the fault to apply
   * @param probability the chance of applying it to a matching request, in [0, 1]
   * @param seed the random seed
   * @throws IllegalArgumentException if the probability is outside [0, 1]
   */
  public RandomFaultPolicy(Fault fault, double probability, long seed) {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be in [0, 1], but was " + probability);
    }
    this.fault = Objects.requireNonNull(fault, "fault");
    this.probability = probability;
    this.random = new Random(seed);
  }

  /**
   * Draws for a matching request and returns the fault if the draw falls under the probability.
   *
   * @param request the request
   * @return the fault, or {@code null}
   */
  @Override
  public @Nullable Fault faultFor(RecordedRequest request) {
    if (!fault.matches(request)) {
      return null;
    }
    double draw;
    lock.lock();
    try {
      draw = random.nextDouble();
    } finally {
      lock.unlock();
    }
    return draw < probability ? fault : null;
  }

  @Override
  public String toString() {
    return "RandomFaultPolicy{" + fault + " with p=" + probability + "}";
  }
}
