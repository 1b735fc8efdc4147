package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The streaming body writer against the tree it replaces: the same bytes for every request. */
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
      assertThat(new String(fast, StandardCharsets.UTF_8))
          .isEqualTo(new String(tree, StandardCharsets.UTF_8));
      if (writer.chat(request, flavor, "req-" + i, stream) != null) {
        direct++;
      }
    }
    assertThat(direct).as("requests the streaming writer took").isGreaterThan(2_500);
  }

  @Test
  void leavesToolsCollidingExtrasAndCallersMappersToTheTree() {
    ChatRequest plain = ChatRequest.builder().message(ChatMessage.user("hi")).build();
    assertThat(writer.chat(plain, ApiFlavor.SGLANG, "r", false)).isNotNull();
    assertThat(writer.chat(
            plain.toBuilder().tool(Map.of("type", "function")).build(), ApiFlavor.SGLANG, "r",
            false))
        .isNull();
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
              ? List.of("max_tokens", "stream", "stream_options", "rid", "messages")
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
