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

  /**
   * The count of leading elements of a label equal to this key's from {@code pos}. The label is
   * of this key's kind (a tree holds one kind only).
   */
  abstract int common(PrefixTree.Label label, int pos);

  /** A new label of this key's elements {@code [from, to)}, starting at key position from. */
  abstract PrefixTree.Label label(int from, int to);

  /**
   * A new label of this key's elements {@code [from, to)} that refers to the key's own elements
   * instead of copying them, or null when this key would copy them.
   */
  abstract PrefixTree.@Nullable Label sharedLabel(int from, int to);

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
    int common(PrefixTree.Label label, int pos) {
      if (label instanceof PrefixTree.PromptLabel shared) {
        return ids.commonPrefixLength(
            pos, shared.prompt, shared.from, shared.from + shared.length);
      }
      int[] elements = ((PrefixTree.IntLabel) label).elements;
      return ids.commonPrefixLength(pos, elements, 0, elements.length);
    }

    @Override
    PrefixTree.Label label(int from, int to) {
      return PrefixTree.PromptLabel.of(ids, from, to, from);
    }

    @Override
    PrefixTree.@Nullable Label sharedLabel(int from, int to) {
      return PrefixTree.PromptLabel.shared(ids, from, to, from);
    }
  }

  /**
   * Characters of a text. Comparisons copy the prompt's characters in chunks into a per-thread
   * buffer ({@link String#getChars}, a vectorised copy) and compare the chunks with the vectorised
   * {@link Arrays#mismatch(char[], int, int, char[], int, int)}: no per-request copy of the prompt
   * and no character-by-character loop. A label that refers to another prompt is read the same
   * way, into the buffer's second half.
   */
  private static final class Text extends PrefixKey {
    private static final int CHUNK = 1024;
    private static final ThreadLocal<char[]> BUFFERS =
        ThreadLocal.withInitial(() -> new char[2 * CHUNK]);

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
    int common(PrefixTree.Label label, int pos) {
      int n = Math.min(label.length, length() - pos);
      char[] buffer = BUFFERS.get();
      PrefixTree.TextLabel shared = label instanceof PrefixTree.TextLabel t ? t : null;
      char[] copied = shared == null ? ((PrefixTree.CharLabel) label).elements : buffer;
      for (int done = 0; done < n; done += CHUNK) {
        int len = Math.min(CHUNK, n - done);
        text.getChars(pos + done, pos + done + len, buffer, 0);
        int at;
        if (shared != null) {
          // The label's characters come from its own prompt, into the buffer's second half.
          shared.prompt.getChars(shared.from + done, shared.from + done + len, buffer, CHUNK);
          at = Arrays.mismatch(buffer, 0, len, copied, CHUNK, CHUNK + len);
        } else {
          at = Arrays.mismatch(buffer, 0, len, copied, done, done + len);
        }
        if (at >= 0) {
          return done + at;
        }
      }
      return n;
    }

    @Override
    PrefixTree.@Nullable Label sharedLabel(int from, int to) {
      return PrefixTree.TextLabel.shared(text, from, to, from);
    }

    @Override
    PrefixTree.Label label(int from, int to) {
      return PrefixTree.TextLabel.of(text, from, to, from);
    }
  }
}
