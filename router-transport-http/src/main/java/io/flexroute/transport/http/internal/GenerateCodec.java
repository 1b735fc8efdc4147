package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.FinishReason;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps SGLang's native {@code POST /generate}: the request body, the result object and the finish
 * reason object.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class GenerateCodec {

  /** Body fields that {@code extraBody} may not replace. */
  static final Set<String> RESERVED = Set.of("stream");

  private static final FinishReason UNKNOWN_FINISH =
      new FinishReason(FinishReason.Type.OTHER, "unknown", null, null, null);

  private final JsonCodec json;
  private final GenerateFastPath fastPath;

  /**
   * Creates the codec.
   *
   * @param json the JSON codec
   */
  public GenerateCodec(JsonCodec json) {
    this.json = json;
    this.fastPath = new GenerateFastPath(json);
  }

  /**
   * The JSON body of a {@code /generate} call.
   *
   * @param request the request
   * @param rid the request id to send as {@code rid}
   * @param stream whether to stream
   * @return the body
   */
  public byte[] encode(GenerateRequest request, String rid, boolean stream) {
    ObjectNode body = json.newObject();
    String text = request.text();
    TokenIds inputIds = request.inputIds();
    if (text != null) {
      body.put("text", text);
    } else if (inputIds != null) {
      putIds(body.putArray("input_ids"), inputIds);
    }
    body.set("sampling_params", samplingParams(request.sampling()));
    body.put("rid", rid);
    if (request.returnLogprob()) {
      body.put("return_logprob", true);
    }
    Integer logprobStartLen = request.logprobStartLen();
    if (logprobStartLen != null) {
      body.put("logprob_start_len", logprobStartLen);
    }
    if (request.topLogprobsNum() > 0) {
      body.put("top_logprobs_num", request.topLogprobsNum());
    }
    body.put("stream", stream);
    json.mergeExtra(body, request.extraBody(), RESERVED);
    return json.write(body);
  }

  private ObjectNode samplingParams(SamplingParams s) {
    ObjectNode p = json.newObject();
    putIfSet(p, "max_new_tokens", s.maxNewTokens());
    putIfSet(p, "min_new_tokens", s.minNewTokens());
    putIfSet(p, "temperature", s.temperature());
    putIfSet(p, "top_p", s.topP());
    putIfSet(p, "top_k", s.topK());
    putIfSet(p, "min_p", s.minP());
    putIfSet(p, "frequency_penalty", s.frequencyPenalty());
    putIfSet(p, "presence_penalty", s.presencePenalty());
    putIfSet(p, "repetition_penalty", s.repetitionPenalty());
    if (!s.stop().isEmpty()) {
      ArrayNode stop = p.putArray("stop");
      s.stop().forEach(stop::add);
    }
    TokenIds stopTokenIds = s.stopTokenIds();
    if (stopTokenIds != null) {
      putIds(p.putArray("stop_token_ids"), stopTokenIds);
    }
    if (s.ignoreEos() != null) {
      p.put("ignore_eos", s.ignoreEos());
    }
    if (s.skipSpecialTokens() != null) {
      p.put("skip_special_tokens", s.skipSpecialTokens());
    }
    putIfSet(p, "n", s.n());
    if (s.seed() != null) {
      p.put("sampling_seed", s.seed());
    }
    if (s.jsonSchema() != null) {
      p.put("json_schema", s.jsonSchema());
    }
    if (s.regex() != null) {
      p.put("regex", s.regex());
    }
    if (s.ebnf() != null) {
      p.put("ebnf", s.ebnf());
    }
    return p;
  }

  private static void putIfSet(ObjectNode node, String field, @Nullable Integer value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static void putIfSet(ObjectNode node, String field, @Nullable Double value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  static void putIds(ArrayNode array, TokenIds ids) {
    for (int i = 0; i < ids.size(); i++) {
      array.add(ids.get(i));
    }
  }

  /**
   * Reads a non-streaming {@code /generate} answer.
   *
   * @param body the answer's bytes
   * @param requestId the call's request id
   * @param workerId the worker's id
   * @return the result
   * @throws JsonShapeException if the answer is not one result object
   */
  public GenerateResult decode(byte[] body, String requestId, String workerId) {
    GenerateResult fast = fastPath.result(body, requestId, workerId, UNKNOWN_FINISH);
    return fast != null ? fast : decodeTree(body, requestId, workerId);
  }

  /**
   * Reads a non-streaming answer through a JSON tree: the definition of the result and of every
   * error, which the streaming reader shortcuts for answers of the usual shape.
   */
  GenerateResult decodeTree(byte[] body, String requestId, String workerId) {
    JsonNode root = json.parse(body, "generate response");
    if (root.isArray()) {
      throw new JsonShapeException(
          "generate response must be one result object, but was an array of " + root.size()
              + " (a batch or n > 1 answer)");
    }
    if (!root.isObject()) {
      throw new JsonShapeException(
          "generate response must be a JSON object, but was " + JsonNodes.describe(root));
    }
    if (EventJson.isError(root)) {
      String message = Failures.messageOf(root);
      throw new JsonShapeException(
          "generate response is an error report with status 200: "
              + (message == null ? "no message" : message));
    }
    String text = JsonNodes.string(root, "text", "$");
    TokenIds outputIds = JsonNodes.tokenIds(root, "output_ids", "$");
    JsonNode meta = JsonNodes.object(root, "meta_info", "$");
    String metaPath = "$.meta_info";
    FinishReason finish =
        finishReason(JsonNodes.field(meta, "finish_reason"), metaPath + ".finish_reason");
    int completionTokens =
        JsonNodes.integer(meta, "completion_tokens", outputIds.size(), metaPath);
    TokenUsage usage =
        new TokenUsage(
            JsonNodes.count(meta, "prompt_tokens", metaPath),
            completionTokens,
            JsonNodes.count(meta, "cached_tokens", metaPath));
    TokenLogprobs logprobs = JsonNodes.logprobTuples(meta, "output_token_logprobs", metaPath);
    String weightVersion = JsonNodes.scalarText(meta, "weight_version", metaPath);
    return new GenerateResult(
        requestId,
        workerId,
        text,
        outputIds,
        logprobs,
        finish == null ? UNKNOWN_FINISH : finish,
        usage,
        weightVersion);
  }

  /**
   * Maps SGLang's finish reason object ({@code {"type":"stop","matched":151645}}, {@code
   * {"type":"length","length":128}}, {@code {"type":"abort","message":"..."}}); a plain string is
   * accepted too.
   *
   * @param node the {@code finish_reason} value, or null while generation runs
   * @param path its path, for messages
   * @return the finish reason, or null when the node is null
   * @throws JsonShapeException if the node is neither an object nor a string
   */
  static @Nullable FinishReason finishReason(@Nullable JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return FinishReason.of(node.textValue());
    }
    if (!node.isObject()) {
      throw new JsonShapeException(
          path + " must be an object, but was " + JsonNodes.describe(node));
    }
    String type = JsonNodes.string(node, "type", path);
    String raw = type == null ? "unknown" : type;
    FinishReason base = FinishReason.of(raw);
    JsonNode matched = JsonNodes.field(node, "matched");
    Integer matchedTokenId =
        matched != null && matched.isIntegralNumber() && matched.canConvertToInt()
            ? matched.intValue()
            : null;
    String matchedText = matched != null && matched.isTextual() ? matched.textValue() : null;
    String message = JsonNodes.scalarText(node, "message", path);
    return new FinishReason(base.type(), raw, matchedTokenId, matchedText, message);
  }
}
