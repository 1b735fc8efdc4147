package io.flexroute.transport.grpc.internal;

import io.flexroute.FinishReason;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateResult;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Turns the {@code GenerateResponse} messages of one Generate call into delta chunks, and folds
 * them into one result.
 *
 * <p>The current servicer streams a {@code chunk} per scheduler step ({@code token_ids} and output
 * logprobs are deltas, counts cumulative), then a {@code complete} with the finish reason and the
 * final counts, whose {@code output_ids} repeat the last delta. Older servicers send the last delta
 * only inside {@code complete}; without streaming, {@code complete} holds every output token. So
 * {@code complete.output_ids} (and its logprobs) are appended when no chunk carried ids, or when the
 * ids seen so far are fewer than {@code complete.completion_tokens}, and are ignored otherwise.
 *
 * <p>Not thread-safe: one per call, used by one thread at a time.
 */
public final class GenerateAssembler {

  private static final int[] NO_IDS = new int[0];

  private final Worker worker;
  private final String requestId;
  private int[] ids = NO_IDS;
  private int idCount;
  private double[] logprobs = new double[0];
  private int logprobCount;
  private boolean sawChunkIds;
  private @Nullable GenerateChunk last;

  /**
   * Creates the assembler for one call.
   *
   * @param worker the worker
   * @param requestId the call's request id
   */
  public GenerateAssembler(Worker worker, String requestId) {
    this.worker = worker;
    this.requestId = requestId;
  }

  /**
   * Whether the {@code complete} message has been seen.
   *
   * @return {@code true} once complete
   */
  public boolean isComplete() {
    return last != null;
  }

  /**
   * Maps one message.
   *
   * @param response the message
   * @return the delta chunk; the one for {@code complete} carries the finish reason and usage
   * @throws WorkerException {@code MALFORMED_RESPONSE} for a message after {@code complete}, an
   *     empty message, or a choice index other than 0
   */
  public GenerateChunk accept(SglangSchedulerProto.GenerateResponse response) {
    if (last != null) {
      throw Failures.malformed(
          worker, "the worker sent a message after the complete message (n > 1 answer?)", null);
    }
    return switch (response.getResponseCase()) {
      case CHUNK -> chunk(response.getChunk());
      case COMPLETE -> complete(response.getComplete());
      case RESPONSE_NOT_SET ->
          throw Failures.malformed(worker, "the worker sent a response with neither chunk nor"
              + " complete", null);
    };
  }

  private GenerateChunk chunk(SglangSchedulerProto.GenerateStreamChunk c) {
    checkIndex(c.getIndex());
    TokenIds newIds = appendIds(c.getTokenIdsList().size(), c::getTokenIds);
    if (!newIds.isEmpty()) {
      sawChunkIds = true;
    }
    TokenLogprobs newLogprobs = appendLogprobs(c.getOutputLogprobs());
    int completionTokens = Math.max(nonNegative(c.getCompletionTokens()), idCount);
    return new GenerateChunk(
        requestId, worker.id(), "", newIds, newLogprobs, completionTokens, null, null, null);
  }

  private GenerateChunk complete(SglangSchedulerProto.GenerateComplete c) {
    checkIndex(c.getIndex());
    int completionTokens = nonNegative(c.getCompletionTokens());
    TokenIds newIds = TokenIds.empty();
    TokenLogprobs newLogprobs = TokenLogprobs.empty();
    if (!sawChunkIds || idCount < completionTokens) {
      newIds = appendIds(c.getOutputIdsList().size(), c::getOutputIds);
      newLogprobs = appendLogprobs(c.getOutputLogprobs());
    }
    int total = Math.max(completionTokens, idCount);
    TokenUsage usage =
        new TokenUsage(nonNegative(c.getPromptTokens()), total, nonNegative(c.getCachedTokens()));
    GenerateChunk chunk =
        new GenerateChunk(
            requestId, worker.id(), "", newIds, newLogprobs, total, finishReason(c), usage, null);
    last = chunk;
    return chunk;
  }

  /**
   * The whole result, once {@code complete} was seen.
   *
   * @return the result
   * @throws WorkerException {@code MALFORMED_RESPONSE} if the call ended before {@code complete}
   */
  public GenerateResult result() {
    GenerateChunk end = last;
    if (end == null) {
      throw incomplete();
    }
    FinishReason finish = end.finishReason();
    TokenUsage usage = end.usage();
    if (finish == null || usage == null) {
      throw incomplete();
    }
    return new GenerateResult(
        requestId,
        worker.id(),
        null,
        TokenIds.of(Arrays.copyOf(ids, idCount)),
        logprobCount == 0
            ? TokenLogprobs.empty()
            : TokenLogprobs.of(Arrays.copyOf(logprobs, logprobCount)),
        finish,
        usage,
        null);
  }

  /**
   * The exception for a call that ended normally before its {@code complete} message.
   *
   * @return the exception
   */
  public WorkerException incomplete() {
    return Failures.malformed(
        worker, "the Generate stream ended before completion (no complete message)", null);
  }

  /**
   * Maps the {@code complete} message's finish reason: {@code "stop"}, {@code "length"}, {@code
   * "abort"}; an empty one means stop, as the servicer defines; any other is kept as {@code OTHER}
   * with its name. The matched stop token or string comes from the {@code matched_stop} oneof.
   */
  static FinishReason finishReason(SglangSchedulerProto.GenerateComplete c) {
    String raw = c.getFinishReason().isEmpty() ? "stop" : c.getFinishReason();
    FinishReason base = FinishReason.of(raw);
    Integer matchedToken = c.hasMatchedTokenId() ? c.getMatchedTokenId() : null;
    String matchedText = c.hasMatchedStopStr() ? c.getMatchedStopStr() : null;
    return new FinishReason(base.type(), raw, matchedToken, matchedText, null);
  }

  private interface IdAt {
    int get(int index);
  }

  private TokenIds appendIds(int count, IdAt source) {
    if (count == 0) {
      return TokenIds.empty();
    }
    int[] fresh = new int[count];
    for (int i = 0; i < count; i++) {
      int id = source.get(i);
      if (id < 0) {
        // uint32 above 2^31: no tokenizer has such ids.
        throw Failures.malformed(
            worker, "token id " + Integer.toUnsignedString(id) + " is out of range", null);
      }
      fresh[i] = id;
    }
    if (idCount + count > ids.length) {
      ids = Arrays.copyOf(ids, Math.max(idCount + count, Math.max(16, ids.length * 2)));
    }
    System.arraycopy(fresh, 0, ids, idCount, count);
    idCount += count;
    return TokenIds.of(fresh);
  }

  private TokenLogprobs appendLogprobs(SglangSchedulerProto.OutputLogProbs lp) {
    int count = lp.getTokenLogprobsCount();
    if (count == 0) {
      return TokenLogprobs.empty();
    }
    double[] fresh = new double[count];
    for (int i = 0; i < count; i++) {
      fresh[i] = lp.getTokenLogprobs(i);
    }
    if (logprobCount + count > logprobs.length) {
      logprobs =
          Arrays.copyOf(logprobs, Math.max(logprobCount + count, Math.max(16, logprobs.length * 2)));
    }
    System.arraycopy(fresh, 0, logprobs, logprobCount, count);
    logprobCount += count;
    return TokenLogprobs.of(fresh);
  }

  private void checkIndex(int index) {
    if (index != 0) {
      throw Failures.malformed(
          worker, "the worker sent choice index " + Integer.toUnsignedString(index)
              + ", but the request asked for one sample", null);
    }
  }

  private int nonNegative(int uint32) {
    if (uint32 < 0) {
      throw Failures.malformed(
          worker, "token count " + Integer.toUnsignedString(uint32) + " is out of range", null);
    }
    return uint32;
  }
}
