package io.flexroute.spi;

import java.util.Objects;
import java.util.function.Function;

/**
 * The {@link Tokenizer} behind {@link Tokenizer#of(String, Function, Function)}: two user functions
 * with their answers checked and their arrays copied.
 *
 * <p>Thread-safe if the functions are. Not public API.
 */
final class FunctionTokenizer implements Tokenizer {

  private final String name;
  private final Function<String, int[]> encode;
  private final Function<int[], String> decode;

  FunctionTokenizer(String name, Function<String, int[]> encode, Function<int[], String> decode) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    this.name = name;
    this.encode = Objects.requireNonNull(encode, "encode");
    this.decode = Objects.requireNonNull(decode, "decode");
  }

  @Override
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    int[] ids = encode.apply(text);
    if (ids == null) {
      throw new IllegalArgumentException(
          "the encode function of tokenizer '" + name + "' returned null for a text of "
              + text.length() + " chars");
    }
    int[] copy = ids.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] < 0) {
        throw new IllegalArgumentException(
            "the encode function of tokenizer '" + name + "' returned a negative id " + copy[i]
                + " at index " + i);
      }
    }
    return copy;
  }

  @Override
  public String decode(int[] tokenIds) {
    Objects.requireNonNull(tokenIds, "tokenIds");
    String text = decode.apply(tokenIds.clone());
    if (text == null) {
      throw new IllegalArgumentException(
          "the decode function of tokenizer '" + name + "' returned null for " + tokenIds.length
              + " tokens");
    }
    return text;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "Tokenizer{" + name + "}";
  }
}
