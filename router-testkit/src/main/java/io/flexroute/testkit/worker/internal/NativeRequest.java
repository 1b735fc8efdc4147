package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.jspecify.annotations.Nullable;

/**
 * A parsed and validated {@code POST /generate} body.
 *
 * @param promptIds the prompt's token ids
 * @param sampling the generation settings
 * @param stream whether to answer with SSE
 * @param logprobs what logprobs to return
 */
record NativeRequest(int[] promptIds, Sampling sampling, boolean stream, LogprobRequest logprobs) {

  static final int DEFAULT_MAX_NEW_TOKENS = 128;
  static final String NO_BATCH =
      "The fake worker does not support batch requests; send one prompt per request.";

  /**
   * What logprobs a native request asks for.
   *
   * @param enabled {@code return_logprob}
   * @param startLen {@code logprob_start_len}: -1 for output only, k for prompt positions from k
   * @param withText {@code return_text_in_logprobs}
   */
  record LogprobRequest(boolean enabled, int startLen, boolean withText) {}

  static NativeRequest parse(JsonNode body, WorkerContext context) throws RequestException {
    if (!body.isObject()) {
      throw RequestException.badRequest("The request body must be a JSON object.");
    }
    JsonNode text = Params.field(body, "text");
    JsonNode inputIds = Params.field(body, "input_ids");
    JsonNode embeds = Params.field(body, "input_embeds");
    int inputs = (text == null ? 0 : 1) + (inputIds == null ? 0 : 1) + (embeds == null ? 0 : 1);
    if (inputs != 1) {
      throw RequestException.badRequest(
          "Either text, input_ids or input_embeds should be provided.");
    }
    int[] promptIds = promptIds(text, inputIds, context);
    JsonNode params = Params.field(body, "sampling_params");
    if (params == null) {
      params = MissingNode.getInstance();
    } else if (params.isArray()) {
      throw RequestException.badRequest(NO_BATCH);
    } else if (!params.isObject()) {
      throw RequestException.badParam("sampling_params", "sampling_params must be an object.");
    }
    Params.checkSampling(params);
    int maxNewTokens =
        Params.maxTokens(
            params,
            "max_new_tokens",
            context.settings().maxTokensOr(DEFAULT_MAX_NEW_TOKENS));
    Sampling sampling =
        new Sampling(
            maxNewTokens,
            Params.longValue(params, "sampling_seed", 0),
            Params.boolValue(params, "ignore_eos"));
    LogprobRequest logprobs =
        new LogprobRequest(
            Params.boolValue(body, "return_logprob"),
            Params.intValue(body, "logprob_start_len", -1),
            Params.boolValue(body, "return_text_in_logprobs"));
    return new NativeRequest(promptIds, sampling, Params.boolValue(body, "stream"), logprobs);
  }

  private static int[] promptIds(
      @Nullable JsonNode text, @Nullable JsonNode inputIds, WorkerContext context)
      throws RequestException {
    if (text != null) {
      if (text.isArray()) {
        throw RequestException.badRequest(NO_BATCH);
      }
      if (!text.isTextual()) {
        throw RequestException.badParam("text", "text must be a string.");
      }
      return context.tokenizer().encode(text.textValue());
    }
    if (inputIds == null) {
      throw RequestException.badRequest("input_embeds is not supported by the fake worker.");
    }
    if (!inputIds.isArray()) {
      throw RequestException.badParam("input_ids", "input_ids must be a list of integers.");
    }
    if (inputIds.isEmpty()) {
      throw RequestException.badParam("input_ids", "input_ids cannot be empty.");
    }
    if (inputIds.get(0).isArray()) {
      throw RequestException.badRequest(NO_BATCH);
    }
    return Params.tokenIds(inputIds, "input_ids");
  }
}
