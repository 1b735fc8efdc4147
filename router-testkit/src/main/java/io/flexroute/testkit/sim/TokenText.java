package io.flexroute.testkit.sim;

import io.flexroute.TokenIds;
import java.util.Objects;

/**
 * The text of simulated token ids: every id stands for a fixed word-like piece (a space and one to
 * five lowercase letters, four characters on average, as English text with a BPE tokenizer), so a
 * trace can be replayed with text prompts as well as token-id prompts. The text of a token prefix
 * is a prefix of the text, which is what character-level prefix matching relies on.
 *
 * <p>The mapping is a pure function of the id, the same in every process. It only goes from ids to
 * text: different ids may share a piece, so the text does not encode back to the same ids.
 *
 * <p>Thread-safe: the class is stateless apart from an immutable table of the pieces of the ids
 * trace generators use.
 */
public final class TokenText {

  /** The smallest id trace generators use for content; smaller ids are left to special tokens. */
  public static final int FIRST_CONTENT_ID = 1000;

  /** The number of distinct content ids trace generators use. */
  public static final int CONTENT_VOCABULARY = 32_000;

  private static final String[] TABLE = new String[CONTENT_VOCABULARY];

  static {
    for (int i = 0; i < CONTENT_VOCABULARY; i++) {
      TABLE[i] = compute(FIRST_CONTENT_ID + i);
    }
  }

  private TokenText() {}

  /**
   * The piece of text one token id stands for.
   *
   * @param id a token id, at least 0
   * @return a space followed by one to five lowercase letters
   * @throws IllegalArgumentException if the id is negative
   */
  public static String piece(int id) {
    if (id < 0) {
      throw new IllegalArgumentException("token id must be >= 0, but was " + id);
    }
    int slot = id - FIRST_CONTENT_ID;
    return slot >= 0 && slot < CONTENT_VOCABULARY ? TABLE[slot] : compute(id);
  }

  /**
   * The text of a range of token ids: their pieces, concatenated.
   *
   * @param ids the ids
   * @param from the first index, inclusive
   * @param to the last index, exclusive
   * @return the text
   * @throws IndexOutOfBoundsException if the range is outside the array
   * @throws IllegalArgumentException if an id is negative
   */
  public static String decode(int[] ids, int from, int to) {
    Objects.checkFromToIndex(from, to, ids.length);
    StringBuilder out = new StringBuilder((to - from) * 4 + 16);
    for (int i = from; i < to; i++) {
      out.append(piece(ids[i]));
    }
    return out.toString();
  }

  /**
   * The text of token ids.
   *
   * @param ids the ids
   * @return the text
   */
  public static String decode(TokenIds ids) {
    int[] array = ids.toArray();
    return decode(array, 0, array.length);
  }

  private static String compute(int id) {
    long h = mix(id);
    int letters = 1 + (int) Long.remainderUnsigned(h, 5);
    h >>>= 3;
    char[] chars = new char[letters + 1];
    chars[0] = ' ';
    for (int i = 1; i <= letters; i++) {
      chars[i] = (char) ('a' + (int) Long.remainderUnsigned(h, 26));
      h = Long.divideUnsigned(h, 26);
    }
    return new String(chars);
  }

  /** SplitMix64's finaliser: a well-mixed 64-bit hash of the id. */
  private static long mix(long x) {
    long z = x + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
