package io.flexroute.testkit.sim;

/**
 * How a replay hands prompts to the strategy: as token ids or as text.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum PromptForm {

  /**
   * Prompts as token ids ({@link io.flexroute.spi.RequestView#promptTokenIds()}), as RL rollout
   * clients send them; token-level prefix matching applies.
   */
  TOKEN_IDS,

  /**
   * Prompts as text ({@link io.flexroute.spi.RequestView#promptText()}, built by {@link
   * TokenText}), as chat clients send them; the estimated prompt length is one token per four
   * characters and prefix matching is character-level. The engines still see the token ids.
   */
  TEXT
}
