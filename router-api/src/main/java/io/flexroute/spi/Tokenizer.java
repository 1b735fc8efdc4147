package io.flexroute.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Turns text into token ids and back, for the token-in/token-out paths (rollouts, token-level cache
 * routing).
 *
 * <p>Implementations must be thread-safe: the router calls them concurrently from request threads.
 * They must be deterministic (the same text always gives the same ids) because cached token ids are
 * compared across calls. A tokenizer failure is reported by throwing
 * {@link IllegalArgumentException} for text it cannot encode, or {@link io.flexroute.RouterException}
 * for a remote failure; it never returns {@code null}.
 *
 * <p>Implementations shipped with FlexRoute: {@link #of(String, Function, Function)} for any pair of
 * functions (here), {@code HfTokenizer} for a Hugging Face {@code tokenizer.json}
 * ({@code router-tokenizer-hf}) and {@code WorkerTokenizer} for a worker's own {@code /tokenize}
 * and {@code /detokenize} endpoints ({@code router-transport-http}).
 */
public interface Tokenizer {

  /**
   * Encodes text into token ids without adding special tokens (no BOS/EOS), so that
   * {@code encode(a + b)} can be compared with the ids of a cached prefix {@code a}.
   *
   * @param text the text to encode, possibly empty
   * @return a new array of token ids; empty for empty text
   */
  int[] encode(String text);

  /**
   * Decodes token ids back into text.
   *
   * <p>For the rollout path, implementations should keep special tokens in the text (decode
   * {@code <|im_end|>} as {@code "<|im_end|>"}, not as nothing), so that text and tokens keep
   * describing each other.
   *
   * @param tokenIds the ids to decode
   * @return the decoded text
   */
  String decode(int[] tokenIds);

  /**
   * Decodes every token on its own: element {@code i} of the result is {@code decode(new int[]
   * {tokenIds[i]})}.
   *
   * <p>The rollout path uses the pieces to find where each token's text ends. The default calls
   * {@link #decode(int[])} once per token; remote tokenizers override it to ask once for all.
   *
   * @param tokenIds the ids to decode
   * @return an unmodifiable list with one decoded piece per id, in order
   */
  default List<String> decodeEach(int[] tokenIds) {
    List<String> pieces = new ArrayList<>(tokenIds.length);
    int[] one = new int[1];
    for (int id : tokenIds) {
      one[0] = id;
      pieces.add(decode(one));
    }
    return Collections.unmodifiableList(pieces);
  }

  /**
   * A short name for logs and metrics tags, such as {@code "hf:qwen3"} or {@code "worker-tokenize"}.
   *
   * @return the tokenizer's name
   */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * A tokenizer made of two functions, named {@code "function"}; see {@link #of(String, Function,
   * Function)}.
   *
   * @param encode turns text into token ids, without special tokens
   * @param decode turns token ids into text
   * @return the tokenizer
   * @throws NullPointerException if a function is null
   */
  static Tokenizer of(Function<String, int[]> encode, Function<int[], String> decode) {
    return of("function", encode, decode);
  }

  /**
   * A tokenizer made of two functions, for any tokenizer library the application already uses.
   *
   * <p>The returned tokenizer is thread-safe if the functions are. It copies the arrays it passes
   * and returns, so the functions may keep or reuse them, and it checks their answers: an encode
   * function that returns {@code null} or a negative id, or a decode function that returns
   * {@code null}, makes the call fail with an {@link IllegalArgumentException} naming the
   * tokenizer. Exceptions the functions throw pass through unchanged.
   *
   * @param name the name for logs and metrics, not blank
   * @param encode turns text into token ids, without special tokens
   * @param decode turns token ids into text
   * @return the tokenizer
   * @throws IllegalArgumentException if the name is blank
   * @throws NullPointerException if an argument is null
   */
  static Tokenizer of(
      String name, Function<String, int[]> encode, Function<int[], String> decode) {
    return new FunctionTokenizer(name, encode, decode);
  }
}
