package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Instant;
import java.util.Arrays;

/** One admitted generation request: its prompt, cache hit, precomputed answer and timing. */
final class Generation {

  private final String rid;
  private final int[] promptIds;
  private final PrefixCache.Admission admission;
  private final GeneratedOutput output;
  private final long startNanos;
  private final long createdEpochSecond = Instant.now().getEpochSecond();
  private final WorkerContext context;
  // The weight version in force when each output token was produced (written by the one thread
  // that paces the generation, read by it when it writes the answer).
  private final String[] tokenVersions;

  private Generation(
      String rid,
      int[] promptIds,
      PrefixCache.Admission admission,
      GeneratedOutput output,
      long startNanos,
      WorkerContext context) {
    this.rid = rid;
    this.promptIds = promptIds;
    this.admission = admission;
    this.output = output;
    this.startNanos = startNanos;
    this.context = context;
    this.tokenVersions = new String[output.length()];
  }

  /**
   * Checks the prompt against the context length, admits it to the prefix cache and computes the
   * answer.
   */
  static Generation start(Call call, int[] promptIds, Sampling sampling) throws RequestException {
    WorkerContext context = call.context();
    int contextLength = context.settings().maxModelLen();
    if (promptIds.length >= contextLength) {
      throw RequestException.badRequest(
          "The input (" + promptIds.length + " tokens) is longer than the model's context length ("
              + contextLength + " tokens).");
    }
    int limit = Math.min(sampling.maxNewTokens(), contextLength - promptIds.length);
    PrefixCache.Admission admission = context.cache().admit(promptIds);
    call.flight().setPromptTokens(promptIds.length);
    GeneratedOutput output =
        context.generator().generate(promptIds, sampling.seed(), limit, sampling.ignoreEos());
    String rid = call.flight().rid();
    return new Generation(
        rid == null ? "" : rid, promptIds, admission, output, call.startNanos(), context);
  }

  String rid() {
    return rid;
  }

  int[] promptIds() {
    return promptIds;
  }

  int promptTokens() {
    return promptIds.length;
  }

  int cachedTokens() {
    return admission.cachedTokens();
  }

  GeneratedOutput output() {
    return output;
  }

  long createdEpochSecond() {
    return createdEpochSecond;
  }

  String model() {
    return context.settings().model();
  }

  String weightVersion() {
    return context.state().weightVersion();
  }

  WorkerContext context() {
    return context;
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Records that output token {@code index} was produced now, with the current weights. */
  void produced(int index) {
    tokenVersions[index] = context.state().weightVersion();
  }

  /**
   * The runs of output tokens {@code [0, to)} that one weight version produced, as SGLang's
   * {@code weight_versions}: {@code [{"version", "start", "end"}, ...]}.
   */
  ArrayNode weightVersionSpans(int to) {
    ArrayNode spans = Json.array();
    int start = 0;
    for (int i = 1; i <= to; i++) {
      if (i == to || !tokenVersions[i].equals(tokenVersions[start])) {
        spans.addObject().put("version", tokenVersions[start]).put("start", start).put("end", i);
        start = i;
      }
    }
    return spans;
  }

  /** Remembers prompt plus the {@code produced} output tokens in the prefix cache. */
  void remember(int produced) {
    int[] all = Arrays.copyOf(promptIds, promptIds.length + produced);
    System.arraycopy(output.ids(0, produced), 0, all, promptIds.length, produced);
    context.cache().complete(admission.entry(), all);
  }
}
