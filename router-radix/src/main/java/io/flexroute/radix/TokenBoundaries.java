package io.flexroute.radix;

import io.flexroute.radix.InvalidCacheInputException.Problem;
import io.flexroute.spi.Tokenizer;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Computes the token end offsets of {@link CacheEntry.Builder#tokenEnds(int[])} from what a
 * tokenizer or a worker reports. Stateless and thread-safe.
 *
 * <p>All results are exclusive end offsets in UTF-16 chars (Java {@code String} indices), one per
 * token.
 *
 * @since 0.1.0
 */
public final class TokenBoundaries {

  private TokenBoundaries() {}

  /**
   * Converts token end offsets counted in Unicode code points (as Hugging Face tokenizers report
   * character spans) into UTF-16 offsets: an emoji counts 1 there and 2 in a Java string.
   *
   * @param text the tokenised text
   * @param codePointEnds the exclusive end of every token in code points, non-decreasing
   * @return a new array of UTF-16 end offsets
   * @throws InvalidCacheInputException if an end decreases or lies past the end of the text
   */
  public static int[] fromCodePointEnds(String text, int[] codePointEnds) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(codePointEnds, "codePointEnds");
    int[] out = new int[codePointEnds.length];
    int cp = 0;
    int ch = 0;
    int len = text.length();
    for (int i = 0; i < codePointEnds.length; i++) {
      int e = codePointEnds[i];
      if (e < cp) {
        throw new InvalidCacheInputException(
            Problem.BAD_TOKEN_ENDS,
            "codePointEnds[" + i + "] = " + e + " must not be below the previous end " + cp);
      }
      while (cp < e) {
        if (ch >= len) {
          throw new InvalidCacheInputException(
              Problem.BAD_TOKEN_ENDS,
              "codePointEnds[" + i + "] = " + e + " is past the end of the text");
        }
        ch += Character.charCount(text.codePointAt(ch));
        cp++;
      }
      out[i] = ch;
    }
    return out;
  }

  /**
   * Computes token ends from the text of every token (for example SGLang's per-token text with
   * {@code return_text_in_logprobs}), or returns {@code null} if the pieces do not spell the text
   * exactly, in which case the boundaries stay unknown.
   *
   * @param text the whole text
   * @param tokenTexts the text of every token, in order
   * @return the end offsets, or {@code null} if the pieces do not concatenate to {@code text}
   */
  public static int @Nullable [] fromTokenTexts(String text, List<String> tokenTexts) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(tokenTexts, "tokenTexts");
    int[] out = new int[tokenTexts.size()];
    int pos = 0;
    int i = 0;
    for (String piece : tokenTexts) {
      if (piece == null || !text.startsWith(piece, pos)) {
        return null;
      }
      pos += piece.length();
      if (pos > 0
          && pos < text.length()
          && Character.isHighSurrogate(text.charAt(pos - 1))
          && Character.isLowSurrogate(text.charAt(pos))) {
        return null;
      }
      out[i++] = pos;
    }
    return pos == text.length() ? out : null;
  }

  /**
   * Derives token ends by decoding every token on its own ({@link Tokenizer#decodeEach(int[])}),
   * or returns {@code null} when the decoded pieces do not spell the text (byte-level tokens that
   * are only part of a character, or a tokenizer that normalises text).
   *
   * @param text the text the tokens came from
   * @param tokenIds its token ids
   * @param tokenizer the tokenizer that produced them
   * @return the end offsets, or {@code null} if they cannot be derived
   */
  public static int @Nullable [] derive(String text, int[] tokenIds, Tokenizer tokenizer) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(tokenIds, "tokenIds");
    Objects.requireNonNull(tokenizer, "tokenizer");
    List<String> pieces = tokenizer.decodeEach(tokenIds);
    if (pieces.size() != tokenIds.length) {
      return null;
    }
    return fromTokenTexts(text, pieces);
  }
}
