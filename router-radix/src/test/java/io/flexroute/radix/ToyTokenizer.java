package io.flexroute.radix;

import io.flexroute.spi.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic, thread-safe test tokenizer: a token is one non-letter char, or an optional
 * leading space followed by up to three letters. Ids come from a shared dictionary, so {@code
 * decode} of any id is its piece and pieces concatenate back to the text.
 */
final class ToyTokenizer implements Tokenizer {

  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Integer, String> pieces = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger(1);
  private final AtomicInteger encodeCalls = new AtomicInteger();

  /** Splits a text into pieces. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      int start = i;
      if (text.charAt(i) == ' ' && i + 1 < n && Character.isLetter(text.charAt(i + 1))) {
        i++;
      }
      if (Character.isLetter(text.charAt(i))) {
        int end = i;
        while (end < n && end - i < 3 && Character.isLetter(text.charAt(end))) {
          end++;
        }
        i = end;
      } else {
        i += Character.charCount(text.codePointAt(i));
      }
      out.add(text.substring(start, i));
    }
    return out;
  }

  /** The id of a piece, assigned on first use. */
  int id(String piece) {
    return ids.computeIfAbsent(
        piece,
        p -> {
          int id = next.getAndIncrement();
          pieces.put(id, p);
          return id;
        });
  }

  /** Ids for explicit pieces. */
  int[] ids(String... explicitPieces) {
    int[] out = new int[explicitPieces.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(explicitPieces[i]);
    }
    return out;
  }

  /** Cumulative ends of explicit pieces. */
  static int[] ends(String... explicitPieces) {
    int[] out = new int[explicitPieces.length];
    int pos = 0;
    for (int i = 0; i < out.length; i++) {
      pos += explicitPieces[i].length();
      out[i] = pos;
    }
    return out;
  }

  /** Token ends of {@link #encode} for a text. */
  static int[] endsOf(String text) {
    return ends(split(text).toArray(new String[0]));
  }

  int encodeCalls() {
    return encodeCalls.get();
  }

  @Override
  public int[] encode(String text) {
    encodeCalls.incrementAndGet();
    List<String> parts = split(text);
    int[] out = new int[parts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(parts.get(i));
    }
    return out;
  }

  @Override
  public String decode(int[] tokenIds) {
    StringBuilder sb = new StringBuilder();
    for (int id : tokenIds) {
      String p = pieces.get(id);
      if (p == null) {
        throw new IllegalArgumentException("unknown token id " + id);
      }
      sb.append(p);
    }
    return sb.toString();
  }

  @Override
  public String name() {
    return "toy";
  }
}
