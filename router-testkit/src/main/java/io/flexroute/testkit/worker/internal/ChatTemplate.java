package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders chat messages into one prompt string, append-only so that a longer conversation's prompt
 * extends the shorter one's: {@code <|role|>\ncontent\n} per message, then {@code <|assistant|>\n}.
 */
final class ChatTemplate {

  private ChatTemplate() {}

  static String render(JsonNode messages) throws RequestException {
    if (!messages.isArray() || messages.isEmpty()) {
      throw RequestException.badParam("messages", "messages must be a non-empty list.");
    }
    StringBuilder prompt = new StringBuilder();
    for (JsonNode message : messages) {
      JsonNode role = message.path("role");
      if (!role.isTextual()) {
        throw RequestException.badParam("messages", "Each message needs a string role.");
      }
      prompt.append("<|").append(role.textValue()).append("|>\n");
      prompt.append(content(message.path("content"))).append('\n');
    }
    return prompt.append("<|assistant|>\n").toString();
  }

  /** Returns a message's text: a plain string, or the text parts of a content-part list. */
  private static String content(JsonNode content) throws RequestException {
    if (content.isMissingNode() || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    if (!content.isArray()) {
      throw RequestException.badParam("messages", "content must be a string or a list of parts.");
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if ("text".equals(part.path("type").asText())) {
        text.append(part.path("text").asText());
      }
    }
    return text.toString();
  }
}
