package io.flexroute;

/**
 * The kinds of inference call the router can route.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum Operation {
  /** SGLang-native {@code POST /generate}, text or token ids in, text and token ids out. */
  GENERATE("generate"),
  /** OpenAI {@code POST /v1/chat/completions}. */
  CHAT("chat"),
  /** OpenAI {@code POST /v1/completions}. */
  COMPLETION("completion");

  private final String tagValue;

  Operation(String tagValue) {
    this.tagValue = tagValue;
  }

  /**
   * A short lowercase name, stable across releases, used in metric tags and logs.
   *
   * @return the name, such as {@code "chat"}
   */
  public String tagValue() {
    return tagValue;
  }
}
