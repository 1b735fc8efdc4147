package io.flexroute.radix;

import io.flexroute.radix.InvalidCacheInputException.Problem;
import org.jspecify.annotations.Nullable;

/** Validation of insert arguments. Stateless and thread-safe. */
final class Inputs {

  private Inputs() {}

  /**
   * Checks the arguments of an insert.
   *
   * @throws InvalidCacheInputException naming the first problem found
   */
  static void validate(
      @Nullable String text,
      int @Nullable [] tokenIds,
      float @Nullable [] logprobs,
      int @Nullable [] lossMask,
      int @Nullable [] tokenEnds,
      int weightVersion) {
    if (text == null) {
      throw new InvalidCacheInputException(Problem.NULL_TEXT, "text must not be null");
    }
    if (text.isEmpty()) {
      throw new InvalidCacheInputException(Problem.EMPTY_TEXT, "text must not be empty");
    }
    if (tokenIds == null) {
      throw new InvalidCacheInputException(Problem.NULL_TOKENS, "tokenIds must not be null");
    }
    int n = tokenIds.length;
    if (n == 0) {
      throw new InvalidCacheInputException(Problem.EMPTY_TOKENS, "tokenIds must not be empty");
    }
    // A negative id would be cached and then break every rollout that reuses its prefix (the
    // router refuses negative input ids), long after this insert.
    checkTokenIds(tokenIds, "tokenIds");
    if (logprobs != null && logprobs.length != n) {
      throw lengthMismatch("logprobs", logprobs.length, n);
    }
    if (lossMask != null) {
      if (lossMask.length != n) {
        throw lengthMismatch("lossMask", lossMask.length, n);
      }
      int or = 0;
      for (int v : lossMask) {
        or |= v;
      }
      if ((or & ~1) != 0) {
        for (int i = 0; i < n; i++) {
          if (lossMask[i] != 0 && lossMask[i] != 1) {
            throw new InvalidCacheInputException(
                Problem.BAD_LOSS_MASK,
                "lossMask[" + i + "] must be 0 or 1, but was " + lossMask[i]);
          }
        }
      }
    }
    if (weightVersion < -1) {
      throw new InvalidCacheInputException(
          Problem.BAD_WEIGHT_VERSION,
          "weightVersion must be >= -1 (-1 means no version), but was " + weightVersion);
    }
    if (tokenEnds != null) {
      validateEnds(text, tokenEnds, n);
    }
  }

  /** Refuses negative ids, naming the first. */
  static void checkTokenIds(int[] tokenIds, String what) {
    int all = 0;
    for (int id : tokenIds) {
      all |= id;
    }
    if (all < 0) {
      for (int i = 0; i < tokenIds.length; i++) {
        if (tokenIds[i] < 0) {
          throw new InvalidCacheInputException(
              Problem.NEGATIVE_TOKEN_ID,
              what + "[" + i + "] must not be negative, but was " + tokenIds[i]);
        }
      }
    }
  }

  static void checkPrefixTokens(int prefixTokens, int tokens) {
    if (prefixTokens < 0 || prefixTokens > tokens) {
      throw new IllegalArgumentException(
          "prefixTokens must be from 0 to the entry's " + tokens + " tokens, but was "
              + prefixTokens);
    }
  }

  private static void validateEnds(String text, int[] ends, int n) {
    if (ends.length != n) {
      throw lengthMismatch("tokenEnds", ends.length, n);
    }
    int len = text.length();
    int prev = 0;
    for (int i = 0; i < n; i++) {
      int e = ends[i];
      if (e < prev) {
        throw badEnds(
            "tokenEnds[" + i + "] = " + e + " must not be below the previous end " + prev);
      }
      if (e > len) {
        throw badEnds(
            "tokenEnds[" + i + "] = " + e + " is past the end of the text (length " + len + ")");
      }
      if (e > 0
          && e < len
          && Character.isHighSurrogate(text.charAt(e - 1))
          && Character.isLowSurrogate(text.charAt(e))) {
        throw badEnds("tokenEnds[" + i + "] = " + e + " falls inside a surrogate pair");
      }
      prev = e;
    }
    if (prev != len) {
      throw badEnds(
          "the last token end must equal the text length " + len + ", but was " + prev);
    }
  }

  private static InvalidCacheInputException lengthMismatch(String name, int actual, int tokens) {
    return new InvalidCacheInputException(
        Problem.LENGTH_MISMATCH,
        name + " has " + actual + " entries but tokenIds has " + tokens);
  }

  private static InvalidCacheInputException badEnds(String message) {
    return new InvalidCacheInputException(Problem.BAD_TOKEN_ENDS, message);
  }
}
