package io.flexroute.core.internal;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Resumes a broken token-level generate stream on another worker: the new request's input is the
 * original prompt followed by every token already delivered, and it asks for the tokens still
 * missing. Chunks of the resumed stream are shifted so the caller sees one stream: completion
 * counts continue where they stopped, and the final usage counts the original prompt.
 *
 * <p>Used by one stream on one thread at a time.
 */
final class GenerateResumption {

  private final GenerateRequest original;
  private final TokenIds prompt;
  private int[] generated = new int[64];
  private int size;
  private int offset;

  private GenerateResumption(GenerateRequest original, TokenIds prompt) {
    this.original = original;
    this.prompt = prompt;
  }

  /**
   * A resumption for the request, if it can be resumed: a token-id prompt and one sample.
   *
   * @return the resumption, or null for text prompts
   */
  static @Nullable GenerateResumption of(GenerateRequest request) {
    TokenIds ids = request.inputIds();
    return ids == null ? null : new GenerateResumption(request, ids);
  }

  /** Records the tokens a chunk delivered to the caller. */
  void delivered(GenerateChunk chunk) {
    TokenIds ids = chunk.newOutputIds();
    if (size + ids.size() > generated.length) {
      generated = Arrays.copyOf(generated, Math.max(generated.length * 2, size + ids.size()));
    }
    for (int i = 0; i < ids.size(); i++) {
      generated[size++] = ids.get(i);
    }
  }

  /**
   * The request that continues the generation, or null when it cannot continue: nothing is left to
   * generate, or the request sets no {@code maxNewTokens} (the worker's default limit would apply
   * again to the continuation, and the caller could get more tokens than an unbroken stream gives).
   *
   * @return the resumed request
   */
  @Nullable GenerateRequest resumeRequest() {
    SamplingParams sampling = original.sampling();
    Integer max = sampling.maxNewTokens();
    if (max == null) {
      return null;
    }
    SamplingParams.Builder resumed = sampling.toBuilder();
    int left = max - size;
    if (left <= 0) {
      return null;
    }
    resumed.maxNewTokens(left);
    Integer min = sampling.minNewTokens();
    if (min != null) {
      resumed.minNewTokens(Math.max(0, Math.min(left, min - size)));
    }
    offset = size;
    return original.toBuilder()
        .inputIds(prompt.concat(TokenIds.of(Arrays.copyOf(generated, size))))
        .sampling(resumed.build())
        .build();
  }

  /** Shifts a chunk of the resumed stream so that it continues the original one. */
  GenerateChunk adjust(GenerateChunk chunk) {
    if (offset == 0) {
      return chunk;
    }
    TokenUsage usage = chunk.usage();
    TokenUsage shifted =
        usage == null
            ? null
            : new TokenUsage(
                prompt.size(),
                usage.completionTokens() + offset,
                Math.min(usage.cachedTokens(), prompt.size()));
    return new GenerateChunk(
        chunk.requestId(),
        chunk.workerId(),
        chunk.textDelta(),
        chunk.newOutputIds(),
        chunk.newLogprobs(),
        chunk.completionTokens() + offset,
        chunk.finishReason(),
        shifted,
        chunk.weightVersion());
  }
}
