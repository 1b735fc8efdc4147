package io.flexroute;

import java.util.Arrays;

/**
 * An immutable sequence of token ids.
 *
 * <p>It wraps a private {@code int[]} so that requests, results and strategy views can share token
 * ids without defensive copies on every read. Instances are immutable and thread-safe.
 */
public final class TokenIds {

  private static final TokenIds EMPTY = new TokenIds(new int[0]);

  private final int[] ids;

  private TokenIds(int[] ids) {
    this.ids = ids;
  }

  /**
   * Copies the given ids.
   *
   * @param ids the token ids
   * @return the immutable sequence
   * @throws NullPointerException if {@code ids} is null
   * @throws IllegalArgumentException if an id is negative
   */
  public static TokenIds of(int... ids) {
    if (ids.length == 0) {
      return EMPTY;
    }
    int[] copy = ids.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] < 0) {
        throw new IllegalArgumentException("token ids must be >= 0, but id " + i + " was " + copy[i]);
      }
    }
    return new TokenIds(copy);
  }

  /**
   * The empty sequence.
   *
   * @return an empty instance
   */
  public static TokenIds empty() {
    return EMPTY;
  }

  /**
   * The number of tokens.
   *
   * @return the length
   */
  public int size() {
    return ids.length;
  }

  /**
   * Whether there are no tokens.
   *
   * @return {@code true} if empty
   */
  public boolean isEmpty() {
    return ids.length == 0;
  }

  /**
   * The id at a position.
   *
   * @param index the position, from 0
   * @return the token id
   * @throws IndexOutOfBoundsException if the index is out of range
   */
  public int get(int index) {
    return ids[index];
  }

  /**
   * A new array holding the ids.
   *
   * @return a copy the caller owns
   */
  public int[] toArray() {
    return ids.clone();
  }

  /**
   * A new array holding the ids from {@code from} (inclusive) to {@code to} (exclusive).
   *
   * @param from the first position
   * @param to the position after the last
   * @return a copy the caller owns
   * @throws IndexOutOfBoundsException if the range is invalid
   */
  public int[] toArray(int from, int to) {
    if (from < 0 || to > ids.length || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + ids.length);
    }
    return Arrays.copyOfRange(ids, from, to);
  }

  /**
   * How many leading elements of {@code other[otherFrom, otherTo)} equal this sequence's ids from
   * position {@code from} on: the length of their common prefix, found with a vectorised
   * comparison (prefix trees compare long prompts against their edge labels this way).
   *
   * @param from the position in this sequence to compare from
   * @param other the array to compare with
   * @param otherFrom the first position of {@code other} to compare
   * @param otherTo the position after the last of {@code other} to compare
   * @return the common length, from 0 to {@code min(size() - from, otherTo - otherFrom)}
   * @throws IndexOutOfBoundsException if a range is invalid
   */
  public int commonPrefixLength(int from, int[] other, int otherFrom, int otherTo) {
    if (from < 0 || from > ids.length) {
      throw new IndexOutOfBoundsException("from " + from + " of " + ids.length);
    }
    if (otherFrom < 0 || otherTo > other.length || otherFrom > otherTo) {
      throw new IndexOutOfBoundsException(
          "range [" + otherFrom + ", " + otherTo + ") of " + other.length);
    }
    int n = Math.min(ids.length - from, otherTo - otherFrom);
    int at = Arrays.mismatch(ids, from, from + n, other, otherFrom, otherFrom + n);
    return at < 0 ? n : at;
  }

  /**
   * How many leading ids of {@code other[otherFrom, otherTo)} equal this sequence's ids from
   * position {@code from} on, as {@link #commonPrefixLength(int, int[], int, int)} does for an
   * array; neither sequence is copied.
   *
   * @param from the position in this sequence to compare from
   * @param other the sequence to compare with
   * @param otherFrom the first position of {@code other} to compare
   * @param otherTo the position after the last of {@code other} to compare
   * @return the common length, from 0 to {@code min(size() - from, otherTo - otherFrom)}
   * @throws IndexOutOfBoundsException if a range is invalid
   */
  public int commonPrefixLength(int from, TokenIds other, int otherFrom, int otherTo) {
    return commonPrefixLength(from, other.ids, otherFrom, otherTo);
  }

  /**
   * The ids from {@code from} (inclusive) to {@code to} (exclusive).
   *
   * @param from the first position
   * @param to the position after the last
   * @return the sub-sequence
   * @throws IndexOutOfBoundsException if the range is invalid
   */
  public TokenIds subList(int from, int to) {
    if (from < 0 || to > ids.length || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + ids.length);
    }
    return from == to ? EMPTY : new TokenIds(Arrays.copyOfRange(ids, from, to));
  }

  /**
   * This sequence followed by another.
   *
   * @param other the ids to append
   * @return the concatenation
   */
  public TokenIds concat(TokenIds other) {
    if (other.ids.length == 0) {
      return this;
    }
    if (ids.length == 0) {
      return other;
    }
    int[] joined = Arrays.copyOf(ids, ids.length + other.ids.length);
    System.arraycopy(other.ids, 0, joined, ids.length, other.ids.length);
    return new TokenIds(joined);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenIds other && Arrays.equals(ids, other.ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids);
  }

  /**
   * Shows the length only: token ids decode straight back to the prompt or output text, which
   * never goes into logs or messages.
   */
  @Override
  public String toString() {
    return "TokenIds[" + ids.length + " tokens]";
  }
}
