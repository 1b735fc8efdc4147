package io.flexroute.core.strategy.internal;

import io.flexroute.TokenIds;
import io.flexroute.spi.RequestView;
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

  /** Characters. */
  private static final class Text extends PrefixKey {
    private final String text;

    Text(String text) {
      super(text.length());
      this.text = text;
    }

    @Override
    public boolean tokenLevel() {
      return false;
    }

    @Override
    int at(int index) {
      return text.charAt(index);
    }

    @Override
    int common(int[] label, int pos) {
      int n = Math.min(label.length, length() - pos);
      String s = text;
      for (int j = 0; j < n; j++) {
        if (s.charAt(pos + j) != label[j]) {
          return j;
        }
      }
      return n;
    }

    @Override
    int[] copy(int from, int to) {
      int[] out = new int[to - from];
      for (int j = 0; j < out.length; j++) {
        out[j] = text.charAt(from + j);
      }
      return out;
    }
  }
}
