package io.flexroute.testkit.grpc.internal;

import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.testkit.grpc.RecordedGenerate;
import io.flexroute.testkit.grpc.SchedulerOutput;
import java.util.SplittableRandom;

/**
 * The fake scheduler's default output: deterministic tokens and logprobs drawn from a generator
 * seeded by the prompt's token ids.
 *
 * <p>Each prompt has a natural answer length between 8 and 64 tokens; the answer ends with {@link
 * #EOS_TOKEN_ID} (finish reason {@code stop}, matched EOS) unless the request sets {@code
 * ignore_eos}, in which case it runs to {@code max_new_tokens} (finish reason {@code length}).
 * Logprobs lie in (-5, 0]. Stateless and thread-safe.
 */
public final class FakeOutputs implements SchedulerOutput.Script {

  /** The end-of-sequence token id, as the test kit's ToyTokenizer's. */
  public static final int EOS_TOKEN_ID = 2;

  /** The vocabulary size reported by GetModelInfo. */
  public static final int VOCAB_SIZE = 32_000;

  /** Output tokens when {@code ignore_eos} is set and {@code max_new_tokens} is unset. */
  static final int UNBOUNDED_IGNORE_EOS_TOKENS = 256;

  @Override
  public SchedulerOutput generate(RecordedGenerate request) {
    long seed = 1125899906842597L;
    TokenIds prompt = request.inputIds();
    for (int i = 0; i < prompt.size(); i++) {
      seed = 31 * seed + prompt.get(i);
    }
    SplittableRandom random = new SplittableRandom(seed);
    int natural = 8 + random.nextInt(57);
    Integer max = request.maxNewTokens();
    int length;
    boolean eos;
    if (request.ignoreEos()) {
      length = max != null ? max : UNBOUNDED_IGNORE_EOS_TOKENS;
      eos = false;
    } else if (max != null && max < natural) {
      length = max;
      eos = false;
    } else {
      length = natural;
      eos = true;
    }
    int[] ids = new int[length];
    double[] logprobs = new double[length];
    for (int i = 0; i < length; i++) {
      ids[i] = eos && i == length - 1 ? EOS_TOKEN_ID : 1000 + random.nextInt(VOCAB_SIZE - 1000);
      logprobs[i] = -5 * random.nextDouble();
    }
    return new SchedulerOutput(
        TokenIds.of(ids), TokenLogprobs.of(logprobs), eos ? "stop" : "length",
        eos ? EOS_TOKEN_ID : null);
  }
}
