package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The {@code /v1/chat/completions} shapes: {@code message} and {@code delta} choices. */
final class ChatFormat implements OpenAiFormat {

  @Override
  public String object() {
    return "chat.completion";
  }

  @Override
  public String chunkObject() {
    return "chat.completion.chunk";
  }

  @Override
  public ObjectNode openingChoice() {
    ObjectNode choice = Json.object().put("index", 0);
    choice.putObject("delta").put("role", "assistant").put("content", "");
    choice.putNull("logprobs");
    choice.putNull("finish_reason");
    return choice;
  }

  @Override
  public ObjectNode deltaChoice(Generation generation, int from, int to, int logprobs) {
    ObjectNode choice = Json.object().put("index", 0);
    choice.putObject("delta").put("content", generation.output().text(from, to));
    choice.set("logprobs", OpenAiJson.chatLogprobs(generation, from, to, logprobs));
    choice.putNull("finish_reason");
    choice.putNull("matched_stop");
    return choice;
  }

  @Override
  public ObjectNode finishChoice(FinishReason finish) {
    ObjectNode choice = Json.object().put("index", 0);
    choice.putObject("delta");
    choice.putNull("logprobs");
    choice.put("finish_reason", finish.openAiName());
    choice.set("matched_stop", finish.matchedStop());
    return choice;
  }

  @Override
  public ObjectNode fullChoice(
      Generation generation, int produced, FinishReason finish, int logprobs) {
    ObjectNode choice = Json.object().put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant").put("content", generation.output().text(0, produced));
    message.putNull("reasoning_content");
    message.putNull("tool_calls");
    choice.set("logprobs", OpenAiJson.chatLogprobs(generation, 0, produced, logprobs));
    choice.put("finish_reason", finish.openAiName());
    choice.set("matched_stop", finish.matchedStop());
    return choice;
  }
}
