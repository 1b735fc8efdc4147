package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/** The {@code /v1/completions} shapes: {@code text} choices, no opening chunk. */
final class CompletionFormat implements OpenAiFormat {

  @Override
  public String object() {
    return "text_completion";
  }

  @Override
  public String chunkObject() {
    return "text_completion";
  }

  @Override
  public @Nullable ObjectNode openingChoice() {
    return null;
  }

  @Override
  public ObjectNode deltaChoice(Generation generation, int from, int to, int logprobs) {
    ObjectNode choice = Json.object().put("index", 0);
    choice.put("text", generation.output().text(from, to));
    choice.set("logprobs", OpenAiJson.completionLogprobs(generation, from, to, logprobs));
    choice.putNull("finish_reason");
    choice.putNull("matched_stop");
    return choice;
  }

  @Override
  public ObjectNode finishChoice(FinishReason finish) {
    ObjectNode choice = Json.object().put("index", 0);
    choice.put("text", "");
    choice.putNull("logprobs");
    choice.put("finish_reason", finish.openAiName());
    choice.set("matched_stop", finish.matchedStop());
    return choice;
  }

  @Override
  public ObjectNode fullChoice(
      Generation generation, int produced, FinishReason finish, int logprobs) {
    ObjectNode choice = Json.object().put("index", 0);
    choice.put("text", generation.output().text(0, produced));
    choice.set("logprobs", OpenAiJson.completionLogprobs(generation, 0, produced, logprobs));
    choice.put("finish_reason", finish.openAiName());
    choice.set("matched_stop", finish.matchedStop());
    return choice;
  }
}
