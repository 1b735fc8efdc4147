package io.flexroute.testkit.sim;

import java.util.SplittableRandom;

/**
 * An inclusive range of integers that trace generators draw from uniformly, such as the number of
 * tokens of a tool output.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param min the smallest value, at least 0
 * @param max the largest value, at least {@code min}
 */
public record IntRange(int min, int max) {

  /**
   * Validates the bounds.
   *
   * @param min the smallest value, at least 0
   * @param max the largest value, at least {@code min}
   * @throws IllegalArgumentException if {@code min} is negative or greater than {@code max}
   */
  public IntRange {
    if (min < 0 || max < min) {
      throw new IllegalArgumentException(
          "range must satisfy 0 <= min <= max, but was [" + min + ", " + max + "]");
    }
  }

  /**
   * The range {@code [min, max]}.
   *
   * @param min the smallest value, at least 0
   * @param max the largest value, at least {@code min}
   * @return the range
   * @throws IllegalArgumentException if the bounds are invalid
   */
  public static IntRange of(int min, int max) {
    return new IntRange(min, max);
  }

  /**
   * The range holding one value.
   *
   * @param value the value, at least 0
   * @return the range {@code [value, value]}
   * @throws IllegalArgumentException if the value is negative
   */
  public static IntRange fixed(int value) {
    return new IntRange(value, value);
  }

  /**
   * Draws a value uniformly.
   *
   * @param random the source of randomness
   * @return a value in {@code [min, max]}
   */
  public int draw(SplittableRandom random) {
    if (min == max) {
      return min;
    }
    long span = (long) max - min + 1;
    // nextInt while the span fits an int keeps the draws (and so every trace) as they were.
    return span <= Integer.MAX_VALUE
        ? min + random.nextInt((int) span)
        : (int) (min + random.nextLong(span));
  }

  /** @return the mean of a uniform draw */
  public double mean() {
    return (min + (double) max) / 2;
  }

  @Override
  public String toString() {
    return min == max ? Integer.toString(min) : min + "-" + max;
  }
}
