package io.flexroute.transport.grpc.internal;

import io.flexroute.ApiFlavor;
import io.flexroute.GenerateRequest;
import io.flexroute.RequestRejectedException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Builds the protobuf {@code GenerateRequest} of SGLang's scheduler service from a FlexRoute {@link
 * GenerateRequest}.
 *
 * <p>proto3 scalars have no presence, and their zero values are not the engine's defaults (the
 * server does not fill defaults in), so every sampling field is always set: to the request's value,
 * or to SGLang's documented default when the request leaves it unset ({@link #DEFAULT_TEMPERATURE}
 * and the other constants here). {@code logprob_start_len} is -1 (output logprobs only) unless the
 * request asks for prompt logprobs.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RequestCodec {

  /** Temperature sent when the request sets none. */
  public static final float DEFAULT_TEMPERATURE = 1.0f;

  /** {@code top_p} sent when the request sets none (0 would be refused). */
  public static final float DEFAULT_TOP_P = 1.0f;

  /** {@code top_k} sent when the request sets none: off (0 would be refused). */
  public static final int DEFAULT_TOP_K = -1;

  /** {@code min_p} sent when the request sets none. */
  public static final float DEFAULT_MIN_P = 0.0f;

  /** Frequency and presence penalty sent when the request sets none. */
  public static final float DEFAULT_PENALTY = 0.0f;

  /** Repetition penalty sent when the request sets none: off (0 would be refused). */
  public static final float DEFAULT_REPETITION_PENALTY = 1.0f;

  /** {@code logprob_start_len} sent for output-only logprobs. */
  public static final int OUTPUT_LOGPROBS_ONLY = -1;

  /** Top-level {@code extraBody} keys that map onto fields of the protobuf request. */
  static final List<String> EXTRA_TOP_LEVEL = List.of("lora_id", "data_parallel_rank",
      "sampling_params");

  /** {@code extraBody.sampling_params} keys that map onto protobuf sampling fields. */
  static final List<String> EXTRA_SAMPLING =
      List.of(
          "no_stop_trim", "stream_interval", "spaces_between_special_tokens", "logit_bias");

  private final int defaultMaxNewTokens;

  /**
   * Creates the codec.
   *
   * @param defaultMaxNewTokens {@code max_new_tokens} sent when the request sets none, or -1 to
   *     leave it unset (the server then generates up to the context window)
   */
  public RequestCodec(int defaultMaxNewTokens) {
    this.defaultMaxNewTokens = defaultMaxNewTokens;
  }

  /**
   * Checks that the request can go over gRPC, before anything is sent.
   *
   * @param worker the worker
   * @param request the request
   * @throws RequestRejectedException ({@code UNSUPPORTED}) naming the reason: a worker that is not
   *     SGLang-flavoured, a text prompt, {@code n} above 1, a seed, or an {@code extraBody} field
   *     without a protobuf equivalent
   */
  public static void check(Worker worker, GenerateRequest request) {
    if (worker.flavor() != ApiFlavor.SGLANG) {
      throw unsupported(
          "generate over gRPC needs an SGLang scheduler, but worker '" + worker.id() + "' is "
              + worker.flavor());
    }
    if (request.inputIds() == null) {
      throw unsupported(
          "generate over gRPC needs the prompt as token ids (inputIds): SGLang's gRPC scheduler"
              + " API has no text input. Tokenize the prompt first, or send text prompts to an"
              + " http:// worker (HTTP transport)");
    }
    SamplingParams s = request.sampling();
    Integer n = s.n();
    if (n != null && n > 1) {
      throw unsupported(
          "generate supports n = 1 only, since its result holds one sample, but n was " + n
              + "; send n requests instead");
    }
    if (s.seed() != null) {
      throw unsupported(
          "SGLang's gRPC scheduler API has no sampling seed field, so the seed cannot be honoured;"
              + " leave it unset or use the HTTP transport (sampling_seed)");
    }
    checkExtra(request.extraBody());
  }

  private static void checkExtra(Map<String, Object> extra) {
    for (Map.Entry<String, Object> e : extra.entrySet()) {
      String key = e.getKey();
      if (!EXTRA_TOP_LEVEL.contains(key)) {
        throw unsupported(
            "extraBody field '" + key + "' has no equivalent in SGLang's gRPC scheduler API;"
                + " supported over gRPC: " + EXTRA_TOP_LEVEL + " and sampling_params."
                + EXTRA_SAMPLING);
      }
      if (key.equals("sampling_params")) {
        if (!(e.getValue() instanceof Map<?, ?> map)) {
          throw unsupported("extraBody field 'sampling_params' must be an object");
        }
        for (Object k : map.keySet()) {
          if (!EXTRA_SAMPLING.contains(String.valueOf(k))) {
            throw unsupported(
                "extraBody field 'sampling_params." + k + "' has no equivalent in SGLang's gRPC"
                    + " scheduler API; supported: " + EXTRA_SAMPLING);
          }
        }
      }
    }
  }

  /**
   * Builds the protobuf request; call {@link #check} first.
   *
   * @param request the checked request
   * @param requestId the call's request id, never empty
   * @param stream whether to stream chunks
   * @return the protobuf request
   * @throws RequestRejectedException if an {@code extraBody} value has the wrong type
   */
  public SglangSchedulerProto.GenerateRequest encode(
      GenerateRequest request, String requestId, boolean stream) {
    TokenIds ids = request.inputIds();
    if (ids == null) {
      throw unsupported("generate over gRPC needs the prompt as token ids (inputIds)");
    }
    SglangSchedulerProto.TokenizedInput.Builder tokenized =
        SglangSchedulerProto.TokenizedInput.newBuilder();
    for (int i = 0; i < ids.size(); i++) {
      tokenized.addInputIds(ids.get(i));
    }
    if (requestId.isEmpty()) {
      // The scheduler's request id must not be empty: aborts match by prefix, and an empty one
      // would take every request on the worker with it.
      throw new IllegalArgumentException("a Generate needs a request id, but it was empty");
    }
    SglangSchedulerProto.GenerateRequest.Builder b =
        SglangSchedulerProto.GenerateRequest.newBuilder()
            .setRequestId(requestId)
            .setTokenized(tokenized)
            .setSamplingParams(sampling(request.sampling(), request.extraBody()))
            .setReturnLogprob(request.returnLogprob())
            .setLogprobStartLen(
                request.logprobStartLen() != null
                    ? request.logprobStartLen()
                    : OUTPUT_LOGPROBS_ONLY)
            .setTopLogprobsNum(request.topLogprobsNum())
            .setStream(stream);
    Map<String, Object> extra = request.extraBody();
    Object lora = extra.get("lora_id");
    if (lora != null) {
      b.setLoraId(string(lora, "lora_id"));
    }
    Object dpRank = extra.get("data_parallel_rank");
    if (dpRank != null) {
      b.setDataParallelRank(integer(dpRank, "data_parallel_rank"));
    }
    return b.build();
  }

  private SglangSchedulerProto.SamplingParams sampling(
      SamplingParams s, Map<String, Object> extra) {
    SglangSchedulerProto.SamplingParams.Builder p =
        SglangSchedulerProto.SamplingParams.newBuilder()
            .setTemperature(orDefault(s.temperature(), DEFAULT_TEMPERATURE))
            .setTopP(orDefault(s.topP(), DEFAULT_TOP_P))
            .setTopK(s.topK() != null ? s.topK() : DEFAULT_TOP_K)
            .setMinP(orDefault(s.minP(), DEFAULT_MIN_P))
            .setFrequencyPenalty(orDefault(s.frequencyPenalty(), DEFAULT_PENALTY))
            .setPresencePenalty(orDefault(s.presencePenalty(), DEFAULT_PENALTY))
            .setRepetitionPenalty(orDefault(s.repetitionPenalty(), DEFAULT_REPETITION_PENALTY))
            .addAllStop(s.stop())
            .setSkipSpecialTokens(s.skipSpecialTokens() == null || s.skipSpecialTokens())
            .setSpacesBetweenSpecialTokens(true)
            .setN(1)
            .setMinNewTokens(s.minNewTokens() != null ? s.minNewTokens() : 0)
            .setIgnoreEos(s.ignoreEos() != null && s.ignoreEos());
    Integer maxNewTokens = s.maxNewTokens();
    if (maxNewTokens != null) {
      p.setMaxNewTokens(maxNewTokens);
    } else if (defaultMaxNewTokens >= 0) {
      p.setMaxNewTokens(defaultMaxNewTokens);
    }
    TokenIds stopIds = s.stopTokenIds();
    if (stopIds != null) {
      for (int i = 0; i < stopIds.size(); i++) {
        p.addStopTokenIds(stopIds.get(i));
      }
    }
    if (s.jsonSchema() != null) {
      p.setJsonSchema(s.jsonSchema());
    } else if (s.regex() != null) {
      p.setRegex(s.regex());
    } else if (s.ebnf() != null) {
      p.setEbnfGrammar(s.ebnf());
    }
    if (extra.get("sampling_params") instanceof Map<?, ?> more) {
      for (Map.Entry<?, ?> e : more.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object value = e.getValue();
        String field = "sampling_params." + key;
        switch (key) {
          case "no_stop_trim" -> p.setNoStopTrim(bool(value, field));
          case "stream_interval" -> p.setStreamInterval(integer(value, field));
          case "spaces_between_special_tokens" ->
              p.setSpacesBetweenSpecialTokens(bool(value, field));
          case "logit_bias" -> p.putAllLogitBias(logitBias(value, field));
          default -> throw unsupported("extraBody field '" + field + "' is not supported over gRPC");
        }
      }
    }
    return p.build();
  }

  private static float orDefault(@Nullable Double value, float fallback) {
    return value != null ? value.floatValue() : fallback;
  }

  private static Map<String, Float> logitBias(@Nullable Object value, String field) {
    if (!(value instanceof Map<?, ?> map)) {
      throw unsupported("extraBody field '" + field + "' must be an object of token id to bias");
    }
    Map<String, Float> bias = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof Number number)) {
        throw unsupported("extraBody field '" + field + "' must map token ids to numbers");
      }
      bias.put(String.valueOf(e.getKey()), number.floatValue());
    }
    return bias;
  }

  private static boolean bool(@Nullable Object value, String field) {
    if (value instanceof Boolean b) {
      return b;
    }
    throw unsupported("extraBody field '" + field + "' must be a boolean");
  }

  private static int integer(@Nullable Object value, String field) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      long v = ((Number) value).longValue();
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        return (int) v;
      }
    }
    throw unsupported("extraBody field '" + field + "' must be a 32-bit integer");
  }

  private static String string(@Nullable Object value, String field) {
    if (value instanceof String s) {
      return s;
    }
    throw unsupported("extraBody field '" + field + "' must be a string");
  }

  private static RequestRejectedException unsupported(String message) {
    return new RequestRejectedException(RequestRejectedException.Reason.UNSUPPORTED, message);
  }
}
