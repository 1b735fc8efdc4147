package io.flexroute.testkit.worker.internal;

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

  /** Remembers prompt plus the {@code produced} output tokens in the prefix cache. */
  void remember(int produced) {
    int[] all = Arrays.copyOf(promptIds, promptIds.length + produced);
    System.arraycopy(output.ids(0, produced), 0, all, promptIds.length, produced);
    context.cache().complete(admission.entry(), all);
  }
}
