package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/** Builds SGLang's {@code /generate} result objects: {@code {text, output_ids, meta_info}}. */
final class NativeJson {

  private NativeJson() {}

  /**
   * Builds a result carrying output tokens {@code [from, to)}; {@code meta_info} counts are always
   * cumulative. Prompt logprobs go into the chunk that starts at token 0.
   */
  static ObjectNode result(
      Generation generation,
      NativeRequest.LogprobRequest logprobs,
      int from,
      int to,
      @Nullable FinishReason finish) {
    GeneratedOutput output = generation.output();
    ObjectNode result = Json.object();
    result.put("text", output.text(from, to));
    result.set("output_ids", Json.array(output.ids(from, to)));
    ObjectNode meta = result.putObject("meta_info");
    meta.put("id", generation.rid());
    if (finish == null) {
      meta.putNull("finish_reason");
    } else {
      meta.set("finish_reason", finish.toNative());
    }
    meta.put("prompt_tokens", generation.promptTokens());
    meta.put("completion_tokens", to);
    meta.put("cached_tokens", generation.cachedTokens());
    meta.put("weight_version", generation.weightVersion());
    if (generation.context().settings().weightVersionSpans() && to > 0) {
      meta.set("weight_versions", generation.weightVersionSpans(to));
    }
    if (logprobs.enabled()) {
      meta.set("output_token_logprobs", outputLogprobs(generation, logprobs, from, to));
      if (logprobs.startLen() >= 0 && from == 0) {
        meta.set("input_token_logprobs", inputLogprobs(generation, logprobs));
      }
    }
    if (finish != null) {
      meta.put("e2e_latency", generation.elapsedSeconds());
    }
    return result;
  }

  private static ArrayNode outputLogprobs(
      Generation generation, NativeRequest.LogprobRequest logprobs, int from, int to) {
    GeneratedOutput output = generation.output();
    ArrayNode entries = Json.array();
    for (int i = from; i < to; i++) {
      ArrayNode entry = entries.addArray().add(output.logprob(i)).add(output.id(i));
      if (logprobs.withText()) {
        entry.add(output.piece(i));
      } else {
        entry.addNull();
      }
    }
    return entries;
  }

  private static ArrayNode inputLogprobs(
      Generation generation, NativeRequest.LogprobRequest logprobs) {
    int[] prompt = generation.promptIds();
    ArrayNode entries = Json.array();
    for (int i = logprobs.startLen(); i < prompt.length; i++) {
      ArrayNode entry = entries.addArray();
      if (i == 0) {
        entry.addNull();
      } else {
        entry.add(OutputGenerator.promptLogprob(prompt, i));
      }
      entry.add(prompt[i]);
      if (logprobs.withText()) {
        entry.add(generation.context().tokenizer().decode(new int[] {prompt[i]}));
      } else {
        entry.addNull();
      }
    }
    return entries;
  }
}
