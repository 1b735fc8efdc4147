package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.FinishReason;
import io.flexroute.GenerateChunk;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Turns SGLang {@code /generate} stream events into delta chunks.
 *
 * <p>SGLang streams cumulative chunks by default: each carries the whole text, all output ids and
 * all logprobs so far. Servers started with {@code --incremental-streaming-output} send deltas
 * instead, and older builds with {@code --stream-output} made only {@code output_ids} incremental.
 * The first chunk reads the same either way. After it, each field starts out assumed cumulative and
 * switches, for the rest of the stream, to delta mode on the first chunk that contradicts it:
 *
 * <ul>
 *   <li>{@code output_ids}: cumulative while each list extends the previous one (same length or
 *       longer, same last known id) and its length is not exactly the growth of {@code
 *       meta_info.completion_tokens}, which only a delta has.
 *   <li>{@code text}: cumulative while it starts with the previous text. When the ids are present
 *       and cumulative, so is the text, since no server mode mixes cumulative ids with delta text.
 *   <li>logprobs: follow the ids when the worker sends ids, else the text; a shorter list than
 *       before is a delta.
 * </ul>
 *
 * <p>A stream is complete once a chunk carries a finish reason; ending before that (at {@code
 * [DONE]} or at the end of the body) is a {@code MALFORMED_RESPONSE} failure.
 *
 * <p>A first chunk that is an abort with no output and a {@code status_code} of 408, 429 or 5xx is
 * the worker refusing the request after its 200 (SGLang's full queue, {@code --max-queued-requests},
 * answers a stream so; a plain request gets the HTTP 503 instead): it becomes a {@code STREAM_ERROR}
 * with that status, which the router retries on another worker, rather than a finished stream.
 *
 * <p>Not thread-safe: one per stream, used by the pulling thread.
 */
final class GenerateStreamDecoder implements StreamDecoder<GenerateChunk> {

  private static final String META = "$.meta_info";

  private final JsonCodec json;
  private final Failures failures;
  private final Worker worker;
  private final String requestId;
  private final GenerateFastPath fastPath;

  private boolean first = true;
  private boolean idsCumulative = true;
  private boolean textCumulative = true;
  private boolean logprobsCumulative = true;
  /** The whole text so far, kept while the text is cumulative. */
  private String lastText = "";
  private int idCount;
  private int lastId = -1;
  private int logprobCount;
  private @Nullable Integer lastCompletionTokens;
  private boolean finished;

  GenerateStreamDecoder(JsonCodec json, Failures failures, Worker worker, String requestId) {
    this.json = json;
    this.failures = failures;
    this.worker = worker;
    this.requestId = requestId;
    this.fastPath = new GenerateFastPath(json);
  }

  @Override
  public @Nullable GenerateChunk decode(SseEvent event) {
    // Plain events are read straight from the bytes (SGLang's cumulative chunks repeat every id and
    // logprob so far, so a tree per event costs dearly); error events, odd shapes and malformed
    // JSON take the tree path, which says what is wrong.
    GenerateFastPath.Fields f =
        event.event() == null
            ? fastPath.fields(event.dataBytes(), event.dataOffset(), event.dataLength())
            : null;
    if (f != null) {
      return chunk(
          event, f.text, f.idsPresent, f.ids, f.completionTokens, f.logprobs, f.finish,
          new ParsedRest(f));
    }
    JsonNode root = EventJson.parse(event, json, failures, worker);
    if (root == null) {
      return null;
    }
    String text = JsonNodes.string(root, "text", "$");
    boolean idsPresent = JsonNodes.field(root, "output_ids") != null;
    TokenIds ids = JsonNodes.tokenIds(root, "output_ids", "$");
    JsonNode meta = JsonNodes.object(root, "meta_info", "$");
    Integer completionTokens = JsonNodes.integer(meta, "completion_tokens", META);
    if (completionTokens != null && completionTokens < 0) {
      throw new JsonShapeException(
          META + ".completion_tokens must be >= 0, but was " + completionTokens);
    }
    TokenLogprobs logprobs = JsonNodes.logprobTuples(meta, "output_token_logprobs", META);
    JsonNode finishNode = JsonNodes.field(meta, "finish_reason");
    FinishReason finish = GenerateCodec.finishReason(finishNode, META + ".finish_reason");
    return chunk(
        event, text, idsPresent, ids, completionTokens, logprobs, finish,
        new TreeRest(meta, finishNode));
  }

  /**
   * What a chunk reads only when it needs it: read lazily, so that the tree path reports a
   * malformed field only when it used to, and in the same order.
   */
  private interface Rest {
    /** The abort's {@code status_code} when it is an error status (400-599), else 0. */
    int abortStatus();

    int promptTokens();

    int cachedTokens();

    @Nullable String weightVersion();
  }

  /** The rest of an event read by the streaming parser, already checked. */
  private record ParsedRest(GenerateFastPath.Fields fields) implements Rest {
    @Override
    public int abortStatus() {
      Integer code = fields.statusCode;
      return code != null && code >= 400 && code <= 599 ? code : 0;
    }

    @Override
    public int promptTokens() {
      return fields.promptTokens;
    }

    @Override
    public int cachedTokens() {
      return fields.cachedTokens;
    }

    @Override
    public @Nullable String weightVersion() {
      return fields.weightVersion;
    }
  }

  /** The rest of an event read from its tree. */
  private record TreeRest(@Nullable JsonNode meta, @Nullable JsonNode finishNode) implements Rest {
    @Override
    public int abortStatus() {
      return GenerateStreamDecoder.abortStatus(finishNode);
    }

    @Override
    public int promptTokens() {
      return JsonNodes.count(meta, "prompt_tokens", META);
    }

    @Override
    public int cachedTokens() {
      return JsonNodes.count(meta, "cached_tokens", META);
    }

    @Override
    public @Nullable String weightVersion() {
      return JsonNodes.scalarText(meta, "weight_version", META);
    }
  }

  private GenerateChunk chunk(
      SseEvent event,
      @Nullable String text,
      boolean idsPresent,
      TokenIds ids,
      @Nullable Integer completionTokens,
      TokenLogprobs logprobs,
      @Nullable FinishReason finish,
      Rest rest) {
    TokenIds newIds = idsPresent ? newIds(ids, completionTokens) : TokenIds.empty();
    String textDelta = text == null ? "" : textDelta(text, idsPresent);
    // Logprobs follow the ids, except beside delta ids of older builds (--stream-output), which
    // kept the logprob lists cumulative: a list as long as all ids so far and longer than this
    // chunk's new ids is cumulative whatever the ids are.
    boolean logprobsLookCumulative =
        idsPresent && logprobs.size() == idCount && logprobs.size() > newIds.size();
    TokenLogprobs newLogprobs =
        newLogprobs(
            logprobs, idsPresent ? idsCumulative || logprobsLookCumulative : textCumulative);

    int tokensSoFar = completionTokens != null ? completionTokens : idCount;
    lastCompletionTokens = completionTokens;
    boolean wasFirst = first;
    first = false;

    if (wasFirst && finish != null && finish.isAbort() && tokensSoFar == 0 && newIds.isEmpty()) {
      int status = rest.abortStatus();
      if (status != 0) {
        String why = finish.message() == null ? "aborted before the first token" : finish.message();
        WorkerException refused = failures.streamRefused(worker, status, why, event.data());
        // Only a status worth another worker refuses the stream; the request's own fault (a 400)
        // stays an answer.
        if (refused.isRetryable()) {
          throw refused;
        }
      }
    }
    TokenUsage usage = null;
    if (finish != null) {
      finished = true;
      usage = new TokenUsage(rest.promptTokens(), tokensSoFar, rest.cachedTokens());
    }
    return new GenerateChunk(
        requestId,
        worker.id(),
        textDelta,
        newIds,
        newLogprobs,
        tokensSoFar,
        finish,
        usage,
        rest.weightVersion());
  }

  /** The abort's {@code status_code} when it is an error status (400-599), else 0. */
  private static int abortStatus(@Nullable JsonNode finishNode) {
    JsonNode code = finishNode != null && finishNode.isObject()
        ? JsonNodes.field(finishNode, "status_code")
        : null;
    if (code == null || !code.isIntegralNumber() || !code.canConvertToInt()) {
      return 0;
    }
    int status = code.intValue();
    return status >= 400 && status <= 599 ? status : 0;
  }

  private TokenIds newIds(TokenIds ids, @Nullable Integer completionTokens) {
    if (!first && idsCumulative) {
      boolean extendsPrevious =
          ids.size() >= idCount && (idCount == 0 || ids.get(idCount - 1) == lastId);
      // A delta has exactly as many ids as completion_tokens grew by; a cumulative list has more.
      boolean sizedLikeDelta =
          completionTokens != null
              && lastCompletionTokens != null
              && idCount > 0
              && ids.size() == completionTokens - lastCompletionTokens;
      if (!extendsPrevious || sizedLikeDelta) {
        idsCumulative = false;
      }
    }
    TokenIds newIds;
    if (idsCumulative) {
      newIds = ids.subList(idCount, ids.size());
      idCount = ids.size();
    } else {
      newIds = ids;
      idCount += ids.size();
    }
    if (!ids.isEmpty()) {
      lastId = ids.get(ids.size() - 1);
    }
    return newIds;
  }

  private String textDelta(String text, boolean idsPresent) {
    if (first) {
      lastText = text;
      return text;
    }
    if (!textCumulative) {
      return text;
    }
    String delta;
    if (text.startsWith(lastText)) {
      delta = text.substring(lastText.length());
    } else if (idsPresent && idsCumulative) {
      // The ids prove cumulative mode; the text was revised in place. Keep what is new at the end.
      delta = text.length() > lastText.length() ? text.substring(lastText.length()) : "";
    } else {
      textCumulative = false;
      return text;
    }
    lastText = text;
    return delta;
  }

  private TokenLogprobs newLogprobs(TokenLogprobs logprobs, boolean followCumulative) {
    if (logprobs.isEmpty()) {
      return logprobs;
    }
    if (!first && logprobsCumulative && (!followCumulative || logprobs.size() < logprobCount)) {
      logprobsCumulative = false;
    }
    if (!logprobsCumulative) {
      logprobCount += logprobs.size();
      return logprobs;
    }
    double[] all = logprobs.toArray();
    int from = Math.min(logprobCount, all.length);
    logprobCount = all.length;
    return from == 0 ? logprobs : TokenLogprobs.of(Arrays.copyOfRange(all, from, all.length));
  }

  @Override
  public void end(boolean sawDone) {
    if (!finished) {
      throw failures.malformed(
          worker,
          sawDone
              ? "stream ended with [DONE] before a chunk with a finish reason"
              : "stream ended before completion: no chunk with a finish reason and no [DONE]",
          null);
    }
  }
}
