package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A parsed and validated OpenAI chat or completions body.
 *
 * @param promptIds the prompt's token ids
 * @param sampling the generation settings
 * @param stream whether to answer with SSE
 * @param includeUsage whether a stream ends with a usage chunk
 * @param logprobs -1 for no logprobs, else how many top alternatives to list per token
 */
record OpenAiRequest(
    int[] promptIds, Sampling sampling, boolean stream, boolean includeUsage, int logprobs) {

  static final int DEFAULT_CHAT_MAX_TOKENS = 128;
  static final int DEFAULT_COMPLETION_MAX_TOKENS = 16;

  static OpenAiRequest chat(JsonNode body, WorkerContext context) throws RequestException {
    checkCommon(body, context);
    int[] promptIds = context.tokenizer().encode(ChatTemplate.render(body.path("messages")));
    int fallback = context.settings().maxTokensOr(DEFAULT_CHAT_MAX_TOKENS);
    int maxTokens =
        Params.field(body, "max_completion_tokens") != null
            ? Params.maxTokens(body, "max_completion_tokens", fallback)
            : Params.maxTokens(body, "max_tokens", fallback);
    int logprobs = -1;
    if (Params.boolValue(body, "logprobs")) {
      logprobs = Params.intValue(body, "top_logprobs", 0);
      if (logprobs < 0 || logprobs > 20) {
        throw RequestException.badParam(
            "top_logprobs", "top_logprobs must be between 0 and 20, got " + logprobs + ".");
      }
    }
    return build(body, promptIds, maxTokens, logprobs);
  }

  static OpenAiRequest completion(JsonNode body, WorkerContext context) throws RequestException {
    checkCommon(body, context);
    JsonNode prompt = Params.field(body, "prompt");
    int[] promptIds;
    if (prompt == null) {
      throw RequestException.badParam("prompt", "prompt is required.");
    } else if (prompt.isTextual()) {
      promptIds = context.tokenizer().encode(prompt.textValue());
    } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isIntegralNumber()) {
      promptIds = Params.tokenIds(prompt, "prompt");
    } else if (prompt.isArray()) {
      throw RequestException.badParam("prompt", NativeRequest.NO_BATCH);
    } else {
      throw RequestException.badParam("prompt", "prompt must be a string or a list of token ids.");
    }
    int maxTokens =
        Params.maxTokens(
            body, "max_tokens", context.settings().maxTokensOr(DEFAULT_COMPLETION_MAX_TOKENS));
    int logprobs = Params.intValue(body, "logprobs", -1);
    if (logprobs < -1 || logprobs > 5) {
      throw RequestException.badParam(
          "logprobs", "logprobs must be between 0 and 5, got " + logprobs + ".");
    }
    return build(body, promptIds, maxTokens, logprobs);
  }

  private static void checkCommon(JsonNode body, WorkerContext context) throws RequestException {
    if (!body.isObject()) {
      throw RequestException.badRequest("The request body must be a JSON object.");
    }
    JsonNode model = Params.field(body, "model");
    String served = context.settings().model();
    if (context.settings().strictModelName() && model != null && !served.equals(model.asText())) {
      throw new RequestException(
          404, "The model `" + model.asText() + "` does not exist.", "model");
    }
    Params.checkSampling(body);
  }

  private static OpenAiRequest build(JsonNode body, int[] promptIds, int maxTokens, int logprobs)
      throws RequestException {
    Sampling sampling =
        new Sampling(
            maxTokens, Params.longValue(body, "seed", 0), Params.boolValue(body, "ignore_eos"));
    boolean stream = Params.boolValue(body, "stream");
    JsonNode options = body.path("stream_options");
    boolean includeUsage =
        stream && options.isObject() && Params.boolValue(options, "include_usage");
    return new OpenAiRequest(promptIds, sampling, stream, includeUsage, logprobs);
  }
}
