package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionRequest;
import io.flexroute.OpenAiRequest;
import io.flexroute.TokenIds;
import io.flexroute.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Chat bodies against a reference built field by field as a tree: the same bytes for every request,
 * written directly or through the tree path.
 */
class OpenAiBodyWriterTest {

  private final JsonCodec json = JsonCodec.createDefault();
  private final OpenAiCodec codec = new OpenAiCodec(json);
  private final OpenAiBodyWriter writer = new OpenAiBodyWriter(json);

  @Test
  void writesTheSameBytesAsTheTreeForRandomRequests() {
    SplittableRandom random = new SplittableRandom(11);
    int direct = 0;
    for (int i = 0; i < 5_000; i++) {
      ChatRequest request = randomRequest(random);
      ApiFlavor flavor = ApiFlavor.values()[random.nextInt(ApiFlavor.values().length)];
      boolean stream = random.nextBoolean();
      byte[] tree = codec.encodeChatTree(request, flavor, "req-" + i, stream);
      byte[] fast = codec.encodeChat(request, flavor, "req-" + i, stream);
      String expected = new String(reference(request, flavor, "req-" + i, stream),
          StandardCharsets.UTF_8);
      assertThat(new String(fast, StandardCharsets.UTF_8)).isEqualTo(expected);
      assertThat(new String(tree, StandardCharsets.UTF_8)).isEqualTo(expected);
      if (writer.chat(request, flavor, "req-" + i, stream) != null) {
        direct++;
      }
    }
    assertThat(direct).as("requests the streaming writer took").isGreaterThan(2_500);
  }

  @Test
  void leavesCollidingExtrasAndCallersMappersToTheTree() {
    ChatRequest plain = ChatRequest.builder().message(ChatMessage.user("hi")).build();
    assertThat(writer.chat(plain, ApiFlavor.SGLANG, "r", false)).isNotNull();
    assertThat(writer.chat(
            plain.toBuilder().tool(Map.of("type", "function")).build(), ApiFlavor.SGLANG, "r",
            false))
        .isNotNull();
    assertThat(writer.chat(
            plain.toBuilder().extraBody("max_tokens", 5).build(), ApiFlavor.SGLANG, "r", false))
        .isNull();
    // "stream" is reserved: never written from the extras, so it does not force the tree.
    assertThat(writer.chat(
            plain.toBuilder().extraBody("stream", true).build(), ApiFlavor.SGLANG, "r", false))
        .isNotNull();

    ObjectMapper indenting = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    JsonCodec callers = JsonCodec.copyOf(indenting);
    assertThat(new OpenAiBodyWriter(callers).chat(plain, ApiFlavor.SGLANG, "r", false)).isNull();
    assertThat(new String(new OpenAiCodec(callers).encodeChat(plain, ApiFlavor.SGLANG, "r", false),
            StandardCharsets.UTF_8))
        .contains("\n"); // the caller's mapper still formats the body
  }

  /** The body as the transport documents it, built as a tree field by field: the reference. */
  private byte[] reference(ChatRequest request, ApiFlavor flavor, String requestId, boolean stream) {
    ObjectNode body = json.newObject();
    if (request.model() != null) {
      body.put("model", request.model());
    }
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : request.messages()) {
      ObjectNode message = messages.addObject();
      message.put("role", m.role());
      if (m.content() != null) {
        message.put("content", m.content());
      }
      if (m.name() != null) {
        message.put("name", m.name());
      }
      if (m.toolCallId() != null) {
        message.put("tool_call_id", m.toolCallId());
      }
      for (ToolCall call : m.toolCalls()) {
        ObjectNode c = message.withArray("tool_calls").addObject();
        c.put("id", call.id()).put("type", "function");
        c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
      }
    }
    if (!request.tools().isEmpty()) {
      body.set("tools", json.valueToTree(request.tools()));
    }
    referenceSampling(body, request);
    if (request.logprobs() != null) {
      body.put("logprobs", request.logprobs());
    }
    if (request.topLogprobs() != null) {
      body.put("top_logprobs", request.topLogprobs());
    }
    return referenceTail(json, body, request, flavor, requestId, stream);
  }

  /** A text completion body, built as a tree field by field: the reference. */
  private static byte[] reference(
      JsonCodec json,
      CompletionRequest request,
      ApiFlavor flavor,
      String requestId,
      boolean stream) {
    ObjectNode body = json.newObject();
    if (request.model() != null) {
      body.put("model", request.model());
    }
    if (request.prompt() != null) {
      body.put("prompt", request.prompt());
    } else if (request.promptTokenIds() != null) {
      ArrayNode ids = body.putArray("prompt");
      for (int i = 0; i < request.promptTokenIds().size(); i++) {
        ids.add(request.promptTokenIds().get(i));
      }
    }
    referenceSampling(body, request);
    if (request.logprobs() != null) {
      body.put("logprobs", request.logprobs());
    }
    return referenceTail(json, body, request, flavor, requestId, stream);
  }

  private static void referenceSampling(ObjectNode body, OpenAiRequest request) {
    if (request.maxTokens() != null) {
      body.put("max_tokens", request.maxTokens());
    }
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.n() != null) {
      body.put("n", request.n());
    }
    if (!request.stop().isEmpty()) {
      request.stop().forEach(body.putArray("stop")::add);
    }
    if (request.seed() != null) {
      body.put("seed", request.seed());
    }
    if (request.presencePenalty() != null) {
      body.put("presence_penalty", request.presencePenalty());
    }
    if (request.frequencyPenalty() != null) {
      body.put("frequency_penalty", request.frequencyPenalty());
    }
  }

  private static byte[] referenceTail(
      JsonCodec json,
      ObjectNode body,
      OpenAiRequest request,
      ApiFlavor flavor,
      String requestId,
      boolean stream) {
    body.put("stream", stream);
    if (stream && request.includeUsage()) {
      body.putObject("stream_options").put("include_usage", true);
    }
    if (flavor == ApiFlavor.SGLANG) {
      body.put("rid", requestId);
    } else if (flavor == ApiFlavor.VLLM) {
      body.put("request_id", requestId);
    }
    json.mergeExtra(body, request.extraBody(), OpenAiCodec.RESERVED);
    return json.write(body);
  }

  @Test
  void writesTheSameCompletionBytesAsTheTreeForRandomRequests() {
    SplittableRandom random = new SplittableRandom(13);
    JsonCodec callers = JsonCodec.copyOf(new ObjectMapper());
    int direct = 0;
    for (int i = 0; i < 5_000; i++) {
      CompletionRequest.Builder b = CompletionRequest.builder();
      if (random.nextBoolean()) {
        b.model("m" + random.nextInt(3));
      }
      if (random.nextBoolean()) {
        b.prompt("p" + text(random));
      } else {
        int[] ids = new int[1 + random.nextInt(2_000)];
        for (int k = 0; k < ids.length; k++) {
          ids[k] = random.nextInt(152_000);
        }
        b.promptIds(TokenIds.of(ids));
      }
      if (random.nextBoolean()) {
        b.maxTokens(1 + random.nextInt(4096));
      }
      if (random.nextBoolean()) {
        b.temperature(random.nextDouble() * 2);
      }
      if (random.nextInt(4) == 0) {
        b.stop("</s>", "END");
      }
      if (random.nextInt(4) == 0) {
        b.seed(random.nextLong());
      }
      if (random.nextInt(4) == 0) {
        b.logprobs(random.nextInt(5));
      }
      if (random.nextInt(3) == 0) {
        b.includeUsage(false);
      }
      // Modelled fields an extra value replaces (the ones the router relies on are refused).
      String[] names = {"ignore_eos", "custom", "stream", "max_tokens", "temperature", "top_p"};
      int extras = random.nextInt(3);
      for (int k = 0; k < extras; k++) {
        b.extraBody(names[random.nextInt(names.length)],
            random.nextBoolean() ? (Object) Map.of("a", List.of(1, "x")) : (Object) true);
      }
      CompletionRequest request = b.build();
      ApiFlavor flavor = ApiFlavor.values()[random.nextInt(ApiFlavor.values().length)];
      boolean stream = random.nextBoolean();
      for (JsonCodec codec : List.of(json, callers)) {
        String expected = new String(reference(codec, request, flavor, "req-" + i, stream),
            StandardCharsets.UTF_8);
        assertThat(new String(new OpenAiCodec(codec).encodeCompletion(request, flavor,
                "req-" + i, stream), StandardCharsets.UTF_8))
            .isEqualTo(expected);
      }
      if (writer.completion(request, flavor, "req-" + i, stream) != null) {
        direct++;
      }
    }
    assertThat(direct).as("requests the streaming writer took").isGreaterThan(2_000);
  }

  private static ChatRequest randomRequest(SplittableRandom random) {
    ChatRequest.Builder b = ChatRequest.builder();
    if (random.nextBoolean()) {
      b.model(text(random));
    }
    int messages = 1 + random.nextInt(4);
    for (int i = 0; i < messages; i++) {
      b.message(switch (random.nextInt(5)) {
        case 0 -> ChatMessage.system(text(random));
        case 1 -> ChatMessage.user(text(random));
        case 2 -> ChatMessage.assistant(text(random));
        case 3 -> ChatMessage.assistantToolCalls(
            random.nextBoolean() ? null : text(random),
            List.of(new ToolCall("call_" + i, "lookup", "{\"q\":\"" + i + "\"}")));
        default -> ChatMessage.tool("call_" + i, text(random));
      });
    }
    if (random.nextBoolean()) {
      b.maxTokens(random.nextInt(4096));
    }
    if (random.nextBoolean()) {
      b.temperature(random.nextInt(3) == 0 ? 0.7 : random.nextDouble() * 2);
    }
    if (random.nextInt(3) == 0) {
      b.topP(random.nextDouble());
    }
    if (random.nextInt(4) == 0) {
      b.n(1 + random.nextInt(4));
    }
    if (random.nextInt(4) == 0) {
      b.stop(random.nextBoolean() ? new String[] {"\n"} : new String[] {"</s>", "END"});
    }
    if (random.nextInt(4) == 0) {
      b.seed(random.nextLong());
    }
    if (random.nextInt(4) == 0) {
      b.presencePenalty(random.nextDouble() - 0.5);
    }
    if (random.nextInt(4) == 0) {
      b.frequencyPenalty(1e-7 * random.nextInt(10));
    }
    if (random.nextInt(4) == 0) {
      b.logprobs(random.nextBoolean());
    }
    if (random.nextInt(4) == 0) {
      b.topLogprobs(random.nextInt(20));
    }
    if (random.nextInt(3) == 0) {
      b.includeUsage(false);
    }
    if (random.nextInt(10) == 0) {
      b.tool(Map.of("type", "function", "function", Map.of("name", "lookup")));
    }
    int extras = random.nextInt(4);
    for (int i = 0; i < extras; i++) {
      String name =
          random.nextInt(8) == 0
              ? List.of("max_tokens", "stream", "stream_options", "temperature", "tools")
                  .get(random.nextInt(5))
              : "x_" + random.nextInt(6);
      Map<String, Object> nested = new LinkedHashMap<>();
      nested.put("a", 1);
      nested.put("b", Arrays.asList("c", null, 2.5));
      Object value = switch (random.nextInt(8)) {
        case 0 -> true;
        case 1 -> text(random);
        case 2 -> random.nextInt();
        case 3 -> random.nextLong();
        case 4 -> random.nextDouble();
        case 5 -> nested;
        case 6 -> List.of(1, "two", Map.of("three", 3));
        default -> null;
      };
      b.extraBody(name, value);
    }
    return b.build();
  }

  private static String text(SplittableRandom random) {
    return switch (random.nextInt(4)) {
      case 0 -> "plain words";
      case 1 -> "quotes \" and \\ back\nslash\t\u0001";
      case 2 -> "\u00e9\u4e2d\ud83d\ude00 unicode";
      default -> "x".repeat(random.nextInt(300));
    };
  }
}
