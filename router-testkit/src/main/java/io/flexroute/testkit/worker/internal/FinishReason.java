package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.testkit.ToyTokenizer;

/** Why a generation ended, with its SGLang and OpenAI renderings. */
record FinishReason(FinishReason.Type type, int length, String message) {

  /** The three ways the fake worker ends a generation. */
  enum Type {
    LENGTH,
    STOP,
    ABORT
  }

  static FinishReason length(int tokens) {
    return new FinishReason(Type.LENGTH, tokens, "");
  }

  static FinishReason endOfSequence() {
    return new FinishReason(Type.STOP, 0, "");
  }

  static FinishReason abort(String message) {
    return new FinishReason(Type.ABORT, 0, message);
  }

  /** Returns SGLang's {@code meta_info.finish_reason} object. */
  ObjectNode toNative() {
    ObjectNode node = Json.object();
    switch (type) {
      case LENGTH:
        node.put("type", "length").put("length", length);
        break;
      case STOP:
        node.put("type", "stop").put("matched", ToyTokenizer.EOS_TOKEN_ID);
        break;
      default:
        node.put("type", "abort").put("message", message);
        node.putNull("status_code");
        node.putNull("err_type");
        break;
    }
    return node;
  }

  /** Returns OpenAI's {@code finish_reason} string. */
  String openAiName() {
    switch (type) {
      case LENGTH:
        return "length";
      case STOP:
        return "stop";
      default:
        return "abort";
    }
  }

  /** Returns SGLang's OpenAI {@code matched_stop}: the EOS id for a stop, else null. */
  JsonNode matchedStop() {
    return type == Type.STOP ? IntNode.valueOf(ToyTokenizer.EOS_TOKEN_ID) : NullNode.getInstance();
  }
}
