package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.FinishReason;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.WeightVersionSpan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps SGLang's native {@code POST /generate}: the request body, the result object and the finish
 * reason object.
 *
 * <p>Thread-safe; its only state is whether it has warned of weight version spans it ignored.
 */
public final class GenerateCodec {

  private static final Logger log = LoggerFactory.getLogger(GenerateCodec.class);

  /** Body fields that {@code extraBody} may not replace. */
  static final Set<String> RESERVED = Set.of("stream");

  /** Every top-level field a body may hold before its extra fields. */
  private static final Set<String> MODELLED =
      Set.of(
          "text", "input_ids", "sampling_params", "rid", "return_logprob", "logprob_start_len",
          "top_logprobs_num", "stream");

  private static final FinishReason UNKNOWN_FINISH =
      new FinishReason(FinishReason.Type.OTHER, "unknown", null, null, null);

  private final JsonCodec json;
  private final GenerateFastPath fastPath;
  private final AtomicBoolean badSpansLogged = new AtomicBoolean();

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
    if (json.writesDirectly(request.extraBody(), MODELLED, RESERVED)) {
      // Token ids go out as one array write, not a tree node per id.
      return json.writeDirect(g -> write(g, request, rid, stream, true));
    }
    ObjectNode body = json.treeOf(g -> write(g, request, rid, stream, false));
    json.mergeExtra(body, request.extraBody(), RESERVED);
    return json.write(body);
  }

  /**
   * Writes a {@code /generate} body: the one definition of its fields and their order.
   *
   * @param withExtras whether to append the extra fields (only when none names a modelled field;
   *     the tree path merges them itself)
   */
  private void write(
      JsonGenerator g, GenerateRequest request, String rid, boolean stream, boolean withExtras)
      throws IOException {
    g.writeStartObject();
    String text = request.text();
    TokenIds inputIds = request.inputIds();
    if (text != null) {
      g.writeFieldName("text");
      JsonText.write(g, text);
    } else if (inputIds != null) {
      g.writeFieldName("input_ids");
      writeIds(g, inputIds);
    }
    g.writeFieldName("sampling_params");
    writeSampling(g, request.sampling());
    g.writeStringField("rid", rid);
    if (request.returnLogprob()) {
      g.writeBooleanField("return_logprob", true);
    }
    Integer logprobStartLen = request.logprobStartLen();
    if (logprobStartLen != null) {
      g.writeNumberField("logprob_start_len", logprobStartLen);
    }
    if (request.topLogprobsNum() > 0) {
      g.writeNumberField("top_logprobs_num", request.topLogprobsNum());
    }
    g.writeBooleanField("stream", stream);
    if (withExtras) {
      for (Map.Entry<String, Object> e : request.extraBody().entrySet()) {
        if (!RESERVED.contains(e.getKey())) {
          g.writeFieldName(e.getKey());
          json.writeValue(g, e.getValue());
        }
      }
    }
    g.writeEndObject();
  }

  private static void writeSampling(JsonGenerator g, SamplingParams s) throws IOException {
    g.writeStartObject();
    writeIfSet(g, "max_new_tokens", s.maxNewTokens());
    writeIfSet(g, "min_new_tokens", s.minNewTokens());
    writeIfSet(g, "temperature", s.temperature());
    writeIfSet(g, "top_p", s.topP());
    writeIfSet(g, "top_k", s.topK());
    writeIfSet(g, "min_p", s.minP());
    writeIfSet(g, "frequency_penalty", s.frequencyPenalty());
    writeIfSet(g, "presence_penalty", s.presencePenalty());
    writeIfSet(g, "repetition_penalty", s.repetitionPenalty());
    if (!s.stop().isEmpty()) {
      g.writeArrayFieldStart("stop");
      for (String stop : s.stop()) {
        g.writeString(stop);
      }
      g.writeEndArray();
    }
    TokenIds stopTokenIds = s.stopTokenIds();
    if (stopTokenIds != null) {
      g.writeFieldName("stop_token_ids");
      writeIds(g, stopTokenIds);
    }
    if (s.ignoreEos() != null) {
      g.writeBooleanField("ignore_eos", s.ignoreEos());
    }
    if (s.skipSpecialTokens() != null) {
      g.writeBooleanField("skip_special_tokens", s.skipSpecialTokens());
    }
    writeIfSet(g, "n", s.n());
    if (s.seed() != null) {
      g.writeNumberField("sampling_seed", s.seed());
    }
    if (s.jsonSchema() != null) {
      g.writeStringField("json_schema", s.jsonSchema());
    }
    if (s.regex() != null) {
      g.writeStringField("regex", s.regex());
    }
    if (s.ebnf() != null) {
      g.writeStringField("ebnf", s.ebnf());
    }
    g.writeEndObject();
  }

  private static void writeIfSet(JsonGenerator g, String field, @Nullable Integer value)
      throws IOException {
    if (value != null) {
      g.writeNumberField(field, value);
    }
  }

  private static void writeIfSet(JsonGenerator g, String field, @Nullable Double value)
      throws IOException {
    if (value != null) {
      g.writeNumberField(field, value);
    }
  }

  private static void writeIds(JsonGenerator g, TokenIds ids) throws IOException {
    g.writeArray(ids.toArray(), 0, ids.size());
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
      throw new ErrorReportException("generate response", root);
    }
    String text = JsonNodes.string(root, "text", "$");
    TokenIds outputIds = JsonNodes.tokenIds(root, "output_ids", "$");
    JsonNode meta = JsonNodes.object(root, "meta_info", "$");
    String metaPath = "$.meta_info";
    FinishReason finish =
        finishReason(JsonNodes.field(meta, "finish_reason"), metaPath + ".finish_reason");
    int completionTokens =
        JsonNodes.integer(meta, "completion_tokens", outputIds.size(), metaPath);
    if (completionTokens < 0) {
      throw new JsonShapeException(
          metaPath + ".completion_tokens must be >= 0, but was " + completionTokens);
    }
    TokenUsage usage =
        new TokenUsage(
            JsonNodes.count(meta, "prompt_tokens", metaPath),
            completionTokens,
            JsonNodes.count(meta, "cached_tokens", metaPath));
    TokenLogprobs logprobs = JsonNodes.logprobTuples(meta, "output_token_logprobs", metaPath);
    String weightVersion = JsonNodes.scalarText(meta, "weight_version", metaPath);
    List<WeightVersionSpan> spans;
    try {
      spans =
          weightVersionSpans(
              JsonNodes.array(meta, "weight_versions", metaPath),
              metaPath + ".weight_versions",
              outputIds.size());
    } catch (JsonShapeException e) {
      // Metadata only the rollout path reads: a build that writes spans another way must not fail
      // every answer (and open every breaker). Its tokens then all get the answer's version.
      if (badSpansLogged.compareAndSet(false, true)) {
        log.warn("worker {} sent weight version spans this client cannot read; ignoring them, so"
            + " every output token gets the answer's weight_version (logged once): {}",
            workerId, e.getMessage());
      }
      spans = List.of();
    }
    return new GenerateResult(
        requestId,
        workerId,
        text,
        outputIds,
        logprobs,
        finish == null ? UNKNOWN_FINISH : finish,
        usage,
        weightVersion,
        spans);
  }

  /**
   * Reads SGLang's {@code weight_versions}: {@code [{"version": "7", "start": 0, "end": 12}, ...]},
   * half-open runs of output positions, in order.
   *
   * @param array the array, or null when absent
   * @param path its path, for messages
   * @param outputTokens the number of output tokens the spans describe
   * @return the spans, empty when absent
   * @throws JsonShapeException if a span is not such an object, or the spans overlap, are out of
   *     order or reach past the output
   */
  static List<WeightVersionSpan> weightVersionSpans(
      @Nullable JsonNode array, String path, int outputTokens) {
    if (array == null || array.isEmpty()) {
      return List.of();
    }
    List<WeightVersionSpan> spans = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode span = array.get(i);
      String at = path + "[" + i + "]";
      if (!span.isObject()) {
        throw new JsonShapeException(at + " must be an object, but was " + JsonNodes.describe(span));
      }
      String version = JsonNodes.scalarText(span, "version", at);
      Integer start = JsonNodes.integer(span, "start", at);
      Integer end = JsonNodes.integer(span, "end", at);
      if (version == null || version.isEmpty() || start == null || end == null) {
        throw new JsonShapeException(
            at + " must have a version, a start and an end, but was " + span);
      }
      try {
        spans.add(new WeightVersionSpan(version, start, end));
      } catch (IllegalArgumentException e) {
        throw new JsonShapeException(at + ": " + e.getMessage());
      }
    }
    try {
      return WeightVersionSpan.checked(spans, outputTokens);
    } catch (IllegalArgumentException e) {
      throw new JsonShapeException(path + ": " + e.getMessage());
    }
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
