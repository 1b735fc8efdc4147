package io.flexroute.testkit.worker.internal;

import io.flexroute.testkit.ToyTokenizer;
import java.util.SplittableRandom;

/**
 * Produces the fake worker's answers: words from a fixed vocabulary drawn from a generator seeded
 * by the prompt ids and the request's seed, so that equal requests get equal answers and a smaller
 * token limit gets a prefix of the same answer.
 */
final class OutputGenerator {

  static final int MIN_NATURAL_LENGTH = 8;
  static final int MAX_NATURAL_LENGTH = 128;

  private static final String[] VOCABULARY = {
    " the", " model", " routes", " each", " request", " to", " a", " worker", " with", " warm",
    " cache", " and", " streams", " tokens", " back", " quickly", " prefix", " load", " is", " low",
    " on", " every", " node", " so", " latency", " stays", " small", ".", ",", " we", " measure",
    " time", " first", " token", " across", " replicas", " while", " weights", " update", " in",
    " place", " router", " picks", " least", " busy", " endpoint", " for", " this", " prompt",
    " batch", " queue", " drains", " fast", " output", " looks", " plausible", " enough", " tests",
    " pass", " again", " when", " retries", " succeed", " now"
  };
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private final int[] vocabularyIds;

  OutputGenerator(ToyTokenizer tokenizer) {
    vocabularyIds = new int[VOCABULARY.length];
    for (int i = 0; i < VOCABULARY.length; i++) {
      vocabularyIds[i] = tokenizer.idOf(VOCABULARY[i]);
    }
  }

  /**
   * Generates the answer to a prompt.
   *
   * @param promptIds the prompt's token ids
   * @param seed the request's sampling seed (0 if it gave none)
   * @param maxNewTokens the token limit, at least 0
   * @param ignoreEos whether to run to the limit instead of stopping at the natural length
   */
  GeneratedOutput generate(int[] promptIds, long seed, int maxNewTokens, boolean ignoreEos) {
    SplittableRandom random = new SplittableRandom(hash(promptIds) ^ (seed * GOLDEN_GAMMA));
    int natural = MIN_NATURAL_LENGTH + random.nextInt(MAX_NATURAL_LENGTH - MIN_NATURAL_LENGTH + 1);
    boolean stops = !ignoreEos && natural <= maxNewTokens;
    int count = stops ? natural : maxNewTokens;
    int[] ids = new int[count];
    String[] pieces = new String[count];
    double[] logprobs = new double[count];
    for (int i = 0; i < count; i++) {
      int word = random.nextInt(VOCABULARY.length);
      ids[i] = vocabularyIds[word];
      pieces[i] = VOCABULARY[word];
      logprobs[i] = logprob(random.nextDouble());
    }
    FinishReason finish = stops ? FinishReason.endOfSequence() : FinishReason.length(count);
    return new GeneratedOutput(ids, pieces, logprobs, finish);
  }

  /** Returns a deterministic logprob in (-5, 0] for the prompt token at {@code position}. */
  static double promptLogprob(int[] promptIds, int position) {
    long mixed = (promptIds[position] + (long) position * GOLDEN_GAMMA) * GOLDEN_GAMMA;
    return logprob(new SplittableRandom(mixed).nextDouble());
  }

  /** Maps a uniform draw in [0, 1) to a logprob in (-5, 0], never negative zero. */
  private static double logprob(double uniform) {
    return -5.0 * uniform + 0.0;
  }

  private static long hash(int[] ids) {
    long hash = 0xcbf29ce484222325L;
    for (int id : ids) {
      hash = (hash ^ id) * 0x100000001b3L;
    }
    return hash;
  }
}
