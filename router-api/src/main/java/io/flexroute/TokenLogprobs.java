package io.flexroute;

import java.util.Arrays;

/**
 * An immutable sequence of per-token log probabilities.
 *
 * <p>A position whose logprob the worker could not give (SGLang sends {@code null} for infinite or
 * undefined values) holds {@link Double#NaN}. Instances are immutable and thread-safe.
 */
public final class TokenLogprobs {

  private static final TokenLogprobs EMPTY = new TokenLogprobs(new double[0]);

  private final double[] values;

  private TokenLogprobs(double[] values) {
    this.values = values;
  }

  /**
   * Copies the given values.
   *
   * @param values the logprobs, NaN where unknown
   * @return the immutable sequence
   */
  public static TokenLogprobs of(double... values) {
    return values.length == 0 ? EMPTY : new TokenLogprobs(values.clone());
  }

  /**
   * The empty sequence.
   *
   * @return an empty instance
   */
  public static TokenLogprobs empty() {
    return EMPTY;
  }

  /**
   * The number of positions.
   *
   * @return the length
   */
  public int size() {
    return values.length;
  }

  /**
   * Whether there are no positions.
   *
   * @return {@code true} if empty
   */
  public boolean isEmpty() {
    return values.length == 0;
  }

  /**
   * The logprob at a position.
   *
   * @param index the position, from 0
   * @return the logprob, NaN where unknown
   * @throws IndexOutOfBoundsException if out of range
   */
  public double get(int index) {
    return values[index];
  }

  /**
   * A new array holding the values.
   *
   * @return a copy the caller owns
   */
  public double[] toArray() {
    return values.clone();
  }

  /**
   * This sequence followed by another.
   *
   * @param other the values to append
   * @return the concatenation
   */
  public TokenLogprobs concat(TokenLogprobs other) {
    if (other.values.length == 0) {
      return this;
    }
    if (values.length == 0) {
      return other;
    }
    double[] joined = Arrays.copyOf(values, values.length + other.values.length);
    System.arraycopy(other.values, 0, joined, values.length, other.values.length);
    return new TokenLogprobs(joined);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenLogprobs other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "TokenLogprobs{size=" + values.length + "}";
  }
}
