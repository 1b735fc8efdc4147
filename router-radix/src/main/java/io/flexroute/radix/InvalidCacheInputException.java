package io.flexroute.radix;

/**
 * Thrown when an insert or a retrieve is given input the cache cannot accept; the cache is left
 * exactly as it was. Instances are immutable and thread-safe.
 *
 * <p>{@link #problem()} says what was wrong, and the
 * message names the offending argument and value.
 *
 * @since 0.1.0
 */
public final class InvalidCacheInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * What was wrong with the input. Immutable and thread-safe.
   *
   * @since 0.1.0
   */
  public enum Problem {
    /** The text was {@code null}. */
    NULL_TEXT,
    /** The text was empty. */
    EMPTY_TEXT,
    /** The token ids were {@code null}. */
    NULL_TOKENS,
    /** There were no token ids. */
    EMPTY_TOKENS,
    /** A token id was negative. */
    NEGATIVE_TOKEN_ID,
    /** Logprobs, loss mask or token ends did not have one entry per token. */
    LENGTH_MISMATCH,
    /** A loss-mask value was neither 0 nor 1. */
    BAD_LOSS_MASK,
    /** The weight version was below -1. */
    BAD_WEIGHT_VERSION,
    /** Token end offsets were decreasing, out of the text, or inside a surrogate pair. */
    BAD_TOKEN_ENDS
  }

  /** What is wrong with the input. */
  private final Problem problem;

  /**
   * Creates the exception.
   *
   * @param problem what was wrong
   * @param message a description naming the argument and its value
   */
  public InvalidCacheInputException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  /**
   * Returns what was wrong with the input.
   *
   * @return the problem
   */
  public Problem problem() {
    return problem;
  }
}
