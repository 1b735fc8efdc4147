package io.flexroute.core.strategy.internal;

import io.flexroute.TokenIds;
import io.flexroute.spi.RequestView;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A request's prompt as a sequence of int elements for a {@link PrefixTree}: token ids when the
 * request carries them, otherwise the characters of its text. Immutable and thread-safe.
 */
public abstract class PrefixKey {

  private final int length;

  PrefixKey(int length) {
    this.length = length;
  }

  /**
   * The key of a request: its token ids when it has them, else its prompt text.
   *
   * @param request the request
   * @return the key, or null when the request has neither or an empty prompt
   */
  public static @Nullable PrefixKey of(RequestView request) {
    TokenIds ids = request.promptTokenIds();
    if (ids != null) {
      return ids.isEmpty() ? null : new Tokens(ids);
    }
    String text = request.promptText();
    return text == null || text.isEmpty() ? null : new Text(text);
  }

  /**
   * A key over token ids.
   *
   * @param ids the ids, not empty
   * @return the key
   */
  public static PrefixKey tokens(TokenIds ids) {
    return new Tokens(ids);
  }

  /**
   * A key over the characters of a text.
   *
   * @param text the text, not empty
   * @return the key
   */
  public static PrefixKey text(String text) {
    return new Text(text);
  }

  /** @return the number of elements */
  public final int length() {
    return length;
  }

  /** @return whether the elements are token ids (otherwise characters) */
  public abstract boolean tokenLevel();

  abstract int at(int index);

  /** The count of leading elements of {@code label} equal to this key's from {@code pos}. */
  abstract int common(int[] label, int pos);

  abstract int[] copy(int from, int to);

  /** Token ids. */
  private static final class Tokens extends PrefixKey {
    private final TokenIds ids;

    Tokens(TokenIds ids) {
      super(ids.size());
      this.ids = ids;
    }

    @Override
    public boolean tokenLevel() {
      return true;
    }

    @Override
    int at(int index) {
      return ids.get(index);
    }

    @Override
    int common(int[] label, int pos) {
      return ids.commonPrefixLength(pos, label, 0, label.length);
    }

    @Override
    int[] copy(int from, int to) {
      return ids.toArray(from, to);
    }
  }

  /**
   * Characters, widened once to an int array so that comparisons against edge labels use the
   * vectorised {@link Arrays#mismatch(int[], int, int, int[], int, int)}: a long prompt costs one
   * linear copy instead of a character-by-character loop on every edge.
   */
  private static final class Text extends PrefixKey {
    private final int[] chars;

    Text(String text) {
      super(text.length());
      int n = text.length();
      char[] raw = new char[n];
      text.getChars(0, n, raw, 0);
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        out[i] = raw[i];
      }
      this.chars = out;
    }

    @Override
    public boolean tokenLevel() {
      return false;
    }

    @Override
    int at(int index) {
      return chars[index];
    }

    @Override
    int common(int[] label, int pos) {
      int n = Math.min(label.length, length() - pos);
      int at = Arrays.mismatch(chars, pos, pos + n, label, 0, n);
      return at < 0 ? n : at;
    }

    @Override
    int[] copy(int from, int to) {
      return Arrays.copyOfRange(chars, from, to);
    }
  }
}
