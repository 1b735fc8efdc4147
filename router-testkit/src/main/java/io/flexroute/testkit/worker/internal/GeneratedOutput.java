package io.flexroute.testkit.worker.internal;

import java.util.Arrays;

/** The whole deterministic answer to one request: tokens, text, logprobs and finish reason. */
final class GeneratedOutput {

  private final int[] ids;
  private final String[] pieces;
  private final double[] logprobs;
  private final int[] offsets;
  private final String text;
  private final FinishReason finish;

  GeneratedOutput(int[] ids, String[] pieces, double[] logprobs, FinishReason finish) {
    this.ids = ids;
    this.pieces = pieces;
    this.logprobs = logprobs;
    this.finish = finish;
    this.offsets = new int[pieces.length + 1];
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < pieces.length; i++) {
      all.append(pieces[i]);
      offsets[i + 1] = all.length();
    }
    this.text = all.toString();
  }

  int length() {
    return ids.length;
  }

  int id(int index) {
    return ids[index];
  }

  String piece(int index) {
    return pieces[index];
  }

  double logprob(int index) {
    return logprobs[index];
  }

  /** Returns the ids of tokens {@code [from, to)}. */
  int[] ids(int from, int to) {
    return Arrays.copyOfRange(ids, from, to);
  }

  /** Returns the text of tokens {@code [from, to)}. */
  String text(int from, int to) {
    return text.substring(offsets[from], offsets[to]);
  }

  /** Returns the character offset of token {@code index} within the whole text. */
  int offset(int index) {
    return offsets[index];
  }

  /** Returns how the answer ends when it runs to completion. */
  FinishReason finish() {
    return finish;
  }
}
