package io.flexroute;

/**
 * The HTTP API dialect a worker speaks. It decides how a transport encodes requests and which
 * engine-specific extras (such as SGLang's {@code rid} or {@code weight_version}) it uses.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum ApiFlavor {
  /** An SGLang server: native {@code /generate} plus its OpenAI-compatible endpoints. */
  SGLANG,
  /** A vLLM server: OpenAI-compatible endpoints plus vLLM's extras. */
  VLLM,
  /** Any other server that implements the OpenAI chat and completions API. */
  OPENAI
}
