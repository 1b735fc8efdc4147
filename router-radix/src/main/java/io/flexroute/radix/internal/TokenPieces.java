package io.flexroute.radix.internal;

import io.flexroute.spi.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Finds where each token's text ends by decoding tokens one by one, for the token boundaries of
 * {@link io.flexroute.radix.CacheEntry}.
 *
 * <p>A token is decoded on its own ({@link Tokenizer#decodeEach(int[])}, remembered per id). A
 * token whose piece ends in U+FFFD holds only part of a character (a byte-level token), so it is
 * decoded together with the following tokens until the group's text is complete (at most {@value
 * #MAX_GROUP} tokens); every token of a group gets the group's end, as the cache expects for
 * zero-width tokens. Group decodes are remembered too.
 *
 * <p>Thread-safe. The memories are bounded ({@code maxEntries} each); once full they stop growing
 * and further pieces are decoded every time. Not public API.
 */
public final class TokenPieces {

  /** The most tokens decoded together to complete one character. */
  static final int MAX_GROUP = 8;

  private static final char REPLACEMENT = '\uFFFD';

  private final Tokenizer tokenizer;
  private final int maxEntries;
  private final ConcurrentHashMap<Integer, String> singles = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Group, String> groups = new ConcurrentHashMap<>();

  /**
   * Creates the helper.
   *
   * @param tokenizer the tokenizer whose pieces to use
   * @param maxEntries how many single-token and group pieces to remember, each
   */
  public TokenPieces(Tokenizer tokenizer, int maxEntries) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.maxEntries = maxEntries;
  }

  /** Decoded output: its text, and the end of every token in it, or null when unknown. */
  public static final class Decoded {
    private final String text;
    private final int @Nullable [] ends;

    Decoded(String text, int @Nullable [] ends) {
      this.text = text;
      this.ends = ends;
    }

    /**
     * Returns the decoded text.
     *
     * @return the text
     */
    public String text() {
      return text;
    }

    /**
     * Returns the exclusive end of every token in {@link #text()}, or null when the pieces do not
     * spell the text the tokenizer gives for all tokens at once.
     *
     * @return the ends, or null
     */
    public int @Nullable [] ends() {
      return ends;
    }
  }

  /**
   * Decodes generated tokens into text, with the end of every token.
   *
   * <p>The text is the concatenation of the pieces when it equals {@code tokenizer.decode(ids)};
   * otherwise (a tokenizer whose single-token decode drops or changes characters, such as a
   * SentencePiece decoder that strips the leading space) it is {@code tokenizer.decode(ids)} and
   * the ends are unknown.
   *
   * @param ids the token ids
   * @return the text and ends
   */
  public Decoded decode(int[] ids) {
    int n = ids.length;
    if (n == 0) {
      return new Decoded("", new int[0]);
    }
    String[] p = pieces(ids);
    int[] ends = new int[n];
    StringBuilder sb = new StringBuilder();
    int g = 0;
    for (int i = 0; i < n; i++) {
      String piece = g == i ? p[i] : group(ids, g, i + 1);
      if (endsIncomplete(piece) && i + 1 < n && i + 1 - g < MAX_GROUP) {
        continue;
      }
      sb.append(piece);
      Arrays.fill(ends, g, i + 1, sb.length());
      g = i + 1;
    }
    String text = sb.toString();
    String whole = tokenizer.decode(ids);
    return whole.equals(text) ? new Decoded(text, ends) : new Decoded(whole, null);
  }

  /**
   * Finds the end of every token of {@code ids} in {@code text}, or returns null when the pieces
   * do not spell the text exactly.
   *
   * @param text the text the tokens stand for
   * @param ids the token ids
   * @return the exclusive UTF-16 end of every token, or null
   */
  public int @Nullable [] align(String text, int[] ids) {
    int n = ids.length;
    if (n == 0) {
      return text.isEmpty() ? new int[0] : null;
    }
    String[] p = pieces(ids);
    int[] ends = new int[n];
    int pos = 0;
    int g = 0;
    for (int i = 0; i < n; i++) {
      String piece = g == i ? p[i] : group(ids, g, i + 1);
      if (!text.startsWith(piece, pos)) {
        if (endsIncomplete(piece) && i + 1 < n && i + 1 - g < MAX_GROUP) {
          continue;
        }
        return null;
      }
      pos += piece.length();
      Arrays.fill(ends, g, i + 1, pos);
      g = i + 1;
    }
    return pos == text.length() ? ends : null;
  }

  private static boolean endsIncomplete(String piece) {
    return !piece.isEmpty() && piece.charAt(piece.length() - 1) == REPLACEMENT;
  }

  /** The single-token pieces of {@code ids}, asking the tokenizer once for all unknown ones. */
  private String[] pieces(int[] ids) {
    String[] out = new String[ids.length];
    List<Integer> missing = null;
    for (int i = 0; i < ids.length; i++) {
      String known = singles.get(ids[i]);
      if (known != null) {
        out[i] = known;
      } else {
        if (missing == null) {
          missing = new ArrayList<>();
        }
        missing.add(i);
      }
    }
    if (missing == null) {
      return out;
    }
    int[] ask = missing.stream().mapToInt(i -> ids[i]).distinct().toArray();
    List<String> answers = tokenizer.decodeEach(ask);
    if (answers.size() != ask.length) {
      throw new IllegalStateException(
          "tokenizer '" + tokenizer.name() + "' decoded " + ask.length + " tokens into "
              + answers.size() + " pieces");
    }
    Map<Integer, String> fresh = new HashMap<>(ask.length * 2);
    for (int k = 0; k < ask.length; k++) {
      String piece = Objects.requireNonNull(answers.get(k), "piece");
      fresh.put(ask[k], piece);
      if (singles.size() < maxEntries) {
        singles.putIfAbsent(ask[k], piece);
      }
    }
    for (int i : missing) {
      out[i] = fresh.get(ids[i]);
    }
    return out;
  }

  private String group(int[] ids, int from, int to) {
    Group key = new Group(Arrays.copyOfRange(ids, from, to));
    String known = groups.get(key);
    if (known != null) {
      return known;
    }
    String piece = tokenizer.decode(key.ids);
    if (groups.size() < maxEntries) {
      groups.putIfAbsent(key, piece);
    }
    return piece;
  }

  /** A run of token ids as a map key. */
  private static final class Group {
    final int[] ids;
    final int hash;

    Group(int[] ids) {
      this.ids = ids;
      this.hash = Arrays.hashCode(ids);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Group && Arrays.equals(ids, ((Group) o).ids);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
