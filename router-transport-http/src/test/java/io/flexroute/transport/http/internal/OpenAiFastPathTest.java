package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.CompletionChunk;
import io.flexroute.FinishReason;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader against the tree path it shortcuts: for every chunk and every result both
 * must give the same answer or the same error.
 */
class OpenAiFastPathTest {

  private static final String REQUEST = "r1";

  private final JsonCodec json = JsonCodec.createDefault();
  private final OpenAiCodec codec = new OpenAiCodec(json);
  private final Failures failures = new Failures(json);
  private final Worker worker = Worker.of("w1", "http://127.0.0.1:1");
  private final OpenAiFastPath parser = new OpenAiFastPath(json);

  @Test
  void readsTheChunksThatServersWrite() {
    String sglang =
        "{\"id\":\"abc\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":null,\"content\":\" hi\","
            + "\"reasoning_content\":null,\"tool_calls\":null},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\",\"matched_stop\":151645}],\"usage\":null}";
    ChatChunk chunk = parser.chat(event(sglang), REQUEST, "w1");
    assertThat(chunk).isNotNull();
    assertThat(chunk.content()).isEqualTo(" hi");
    assertThat(chunk.model()).isEqualTo("m");
    assertThat(chunk.deltas().get(0).finishReason())
        .isEqualTo(new FinishReason(FinishReason.Type.STOP, "stop", 151645, null, null));
    assertThat(chunk).isEqualTo(treeChat(event(sglang)));

    String toolCall =
        "{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
            + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
            + "\"arguments\":\"{\\\"a\\\":1}\"}}]},\"finish_reason\":null}]}";
    ChatChunk call = parser.chat(event(toolCall), REQUEST, "w1");
    assertThat(call).isNotNull();
    assertThat(call.deltas().get(0).toolCalls())
        .containsExactly(new ChatChunk.ToolCallDelta(0, "call_1", "f", "{\"a\":1}"));

    String usage =
        "{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,"
            + "\"total_tokens\":13,\"prompt_tokens_details\":{\"cached_tokens\":8}}}";
    assertThat(parser.chat(event(usage), REQUEST, "w1").usage())
        .isEqualTo(new TokenUsage(10, 3, 8));

    String text =
        "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"ab\","
            + "\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}";
    CompletionChunk completion = parser.completion(event(text), REQUEST, "w1");
    assertThat(completion).isNotNull();
    assertThat(completion.choices().get(0).text()).isEqualTo("ab");
    assertThat(completion).isEqualTo(treeCompletion(event(text)));
  }

  @Test
  void readsTheResultsThatServersWrite() {
    String sglang =
        "{\"id\":\"abc\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\","
            + "\"reasoning_content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},\"logprobs\":null,"
            + "\"finish_reason\":\"tool_calls\",\"matched_stop\":null}],\"usage\":{\"prompt_tokens\":5,"
            + "\"completion_tokens\":2,\"total_tokens\":7},\"metadata\":{\"weight_version\":\"v3\"}}";
    byte[] bytes = sglang.getBytes(StandardCharsets.UTF_8);
    ChatCompletion chat = parser.chatCompletion(bytes, REQUEST, "w1");
    assertThat(chat).isNotNull();
    assertThat(chat.weightVersion()).isEqualTo("v3");
    assertThat(chat.choices().get(0).message().toolCalls())
        .containsExactly(new io.flexroute.ToolCall("c1", "f", "{}"));
    assertThat(chat).isEqualTo(codec.decodeChatTree(bytes, REQUEST, "w1"));

    byte[] text =
        ("{\"id\":\"c\",\"choices\":[{\"index\":0,\"text\":\"ab\",\"finish_reason\":\"length\"}],"
                + "\"usage\":null}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(parser.textCompletion(text, REQUEST, "w1"))
        .isNotNull()
        .isEqualTo(codec.decodeCompletionTree(text, REQUEST, "w1"));
  }

  @Test
  void leavesErrorsAndOddShapesToTheTreePath() {
    for (String data :
        List.of(
            "{\"error\":{\"message\":\"overloaded\",\"code\":503}}",
            "{\"object\":\"error\",\"message\":\"bad\",\"code\":400}",
            "{\"id\":1,\"choices\":[]}",
            "{\"choices\":[{\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"}]}}]}",
            "{\"choices\":[{\"delta\":{\"content\":5}}]}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":-1}}",
            "{\"choices\":[]} {}",
            "{\"choices\":[",
            "[1]",
            "",
            " ")) {
      assertThat(parser.chat(event(data), REQUEST, "w1")).as(data).isNull();
    }
  }

  @Test
  void agreesWithTheTreePathOnRandomChatChunks() {
    compareOnRandomChunks(true);
  }

  @Test
  void agreesWithTheTreePathOnRandomCompletionChunks() {
    compareOnRandomChunks(false);
  }

  @Test
  void agreesWithTheTreePathOnRandomChatResults() {
    compareOnRandomResults(true);
  }

  @Test
  void agreesWithTheTreePathOnRandomCompletionResults() {
    compareOnRandomResults(false);
  }

  private void compareOnRandomChunks(boolean chat) {
    compareOnRandom(42, chat, false, data -> {
      SseEvent event = event(data);
      StreamDecoder<?> decoder =
          chat
              ? StreamDecoders.chat(codec, json, failures, worker, REQUEST)
              : StreamDecoders.completion(codec, json, failures, worker, REQUEST);
      return new Object[] {
        outcome(() -> chat ? treeChat(event) : treeCompletion(event)),
        outcome(() -> decoder.decode(event)),
        chat ? parser.chat(event, REQUEST, "w1") : parser.completion(event, REQUEST, "w1")
      };
    });
  }

  private void compareOnRandomResults(boolean chat) {
    compareOnRandom(43, chat, true, data -> {
      byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
      return new Object[] {
        outcome(() -> chat
            ? codec.decodeChatTree(bytes, REQUEST, "w1")
            : codec.decodeCompletionTree(bytes, REQUEST, "w1")),
        outcome(() -> chat
            ? codec.decodeChat(bytes, REQUEST, "w1")
            : codec.decodeCompletion(bytes, REQUEST, "w1")),
        chat
            ? parser.chatCompletion(bytes, REQUEST, "w1")
            : parser.textCompletion(bytes, REQUEST, "w1")
      };
    });
  }

  /**
   * Decodes 10,000 random documents; {@code decode} gives the tree path's outcome, the decoder's
   * outcome and the fast path's answer (null when it gave up).
   */
  private static void compareOnRandom(
      long seed, boolean chat, boolean result, Function<String, Object[]> decode) {
    SplittableRandom random = new SplittableRandom(seed);
    int fast = 0;
    int errors = 0;
    for (int i = 0; i < 10_000; i++) {
      String data = new Generator(random, chat, result).document();
      Object[] outcomes = decode.apply(data);
      Object expected = outcomes[0];
      assertThat(outcomes[1]).as(data).isEqualTo(expected);
      if (outcomes[2] != null) {
        fast++;
        assertThat(outcomes[2]).as(data).isEqualTo(expected);
      }
      if (expected instanceof String) {
        errors++;
      }
    }
    // Both paths were exercised: plenty of documents took the streaming reader, plenty were refused.
    assertThat(fast).isGreaterThan(2_000);
    assertThat(errors).isGreaterThan(1_000);
  }

  /** The chunk, or the error's type and message. */
  private static Object outcome(Supplier<Object> decode) {
    try {
      return Objects.requireNonNullElse(decode.get(), "skipped");
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  private ChatChunk treeChat(SseEvent event) {
    return tree(event, root -> codec.decodeChatChunk(root, REQUEST, "w1"));
  }

  private CompletionChunk treeCompletion(SseEvent event) {
    return tree(event, root -> codec.decodeCompletionChunk(root, REQUEST, "w1"));
  }

  private <T> T tree(SseEvent event, Function<com.fasterxml.jackson.databind.JsonNode, T> read) {
    var root = EventJson.parse(event, json, failures, worker);
    return root == null ? null : read.apply(root);
  }

  private static SseEvent event(String data) {
    return new SseEvent(null, null, data);
  }

  /** Random chunk JSON: mostly the expected shape, with wrong types, nulls and extras mixed in. */
  private static final class Generator {
    private final SplittableRandom random;
    private final boolean chat;
    private final boolean result;

    Generator(SplittableRandom random, boolean chat, boolean result) {
      this.random = random;
      this.chat = chat;
      this.result = result;
    }

    String document() {
      String text =
          object(
              field("id", oneOf(this::string, this::string, this::number, this::nul, this::bool)),
              field("object", oneOf(() -> "\"chat.completion.chunk\"", () -> "\"error\"",
                  this::nul, this::number)),
              field("created", this::number),
              field("model", oneOf(this::string, this::string, this::nul, this::number)),
              field("choices", oneOf(this::choices, this::choices, this::choices, this::nul,
                  this::string, () -> "[1]")),
              field("usage", oneOf(this::nul, this::usage, this::number)),
              field("error", oneOf(this::nul, this::nul, this::nul, this::nul, this::nul,
                  this::nul, () -> "{\"message\":\"m\",\"code\":429}", this::string)),
              field("system_fingerprint", this::anything),
              field("metadata", oneOf(this::nul, this::string, () -> object(
                  field("weight_version", oneOf(this::string, this::string, this::nul,
                      this::number)),
                  field("other", this::anything)))));
      int shape = random.nextInt(40);
      if (shape == 0) {
        return text.substring(0, random.nextInt(text.length())); // truncated
      }
      if (shape == 1) {
        return text + " {}"; // trailing tokens
      }
      return text;
    }

    String choices() {
      List<String> elements = new ArrayList<>();
      int n = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        elements.add(random.nextInt(30) == 0 ? number() : choice());
      }
      return "[" + String.join(",", elements) + "]";
    }

    String choice() {
      return object(
          field("index", oneOf(this::smallInt, this::smallInt, this::nul, this::string,
              () -> "1.5", () -> "99999999999")),
          chat
              ? field(result ? "message" : "delta",
                  oneOf(this::delta, this::delta, this::delta, this::nul, this::string))
              : field("text", oneOf(this::string, this::string, this::nul, this::number)),
          field("logprobs", oneOf(this::nul, () -> "{\"content\":[]}")),
          field("finish_reason", oneOf(this::nul, this::nul, () -> "\"stop\"", () -> "\"length\"",
              () -> "\"abort\"", () -> "\"tool_calls\"", this::number)),
          field("matched_stop", this::stop),
          field("stop_reason", this::stop));
    }

    String stop() {
      return oneOf(this::nul, this::smallInt, this::string, () -> "2.5", this::bool, () -> "[1]",
          () -> "99999999999").get();
    }

    String delta() {
      return object(
          field("role", oneOf(this::string, () -> "\"assistant\"", () -> "\" \"", this::nul,
              this::number)),
          field("name", oneOf(this::string, this::nul, this::number)),
          field("content", oneOf(this::string, this::string, this::nul, this::number,
              () -> "[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]")),
          field("reasoning_content", oneOf(this::string, this::nul, this::nul, this::number)),
          field("reasoning", oneOf(this::string, this::nul, this::nul, this::bool)),
          field("tool_calls", oneOf(this::nul, this::toolCalls, this::toolCalls, this::string)),
          field("extra", this::anything));
    }

    String toolCalls() {
      List<String> calls = new ArrayList<>();
      int n = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        calls.add(random.nextInt(20) == 0 ? string() : object(
            field("index", oneOf(this::smallInt, this::nul, this::string)),
            field("id", oneOf(this::string, this::nul, this::number)),
            field("type", () -> "\"function\""),
            field("function", oneOf(this::nul, this::number, () -> object(
                field("name", oneOf(this::string, this::nul, this::number)),
                field("arguments", oneOf(this::string, this::nul, () -> "{\"a\":[1,2]}")))))));
      }
      return "[" + String.join(",", calls) + "]";
    }

    String usage() {
      return object(
          field("prompt_tokens", this::count),
          field("completion_tokens", this::count),
          field("total_tokens", this::count),
          field("prompt_tokens_details", oneOf(this::nul, this::number, () -> object(
              field("cached_tokens", this::count)))));
    }

    String count() {
      return oneOf(this::smallInt, this::smallInt, this::nul, () -> "-3", () -> "2.0",
          this::string, () -> "99999999999").get();
    }

    String anything() {
      return oneOf(this::string, this::number, this::nul, this::bool, () -> "{\"a\":[{}]}",
          () -> "[[],{\"b\":null}]").get();
    }

    /** A field, left out a fifth of the time and written twice now and then. */
    Supplier<String> field(String name, Supplier<String> value) {
      return () -> {
        int roll = random.nextInt(20);
        if (roll < 4) {
          return null;
        }
        String one = "\"" + name + "\":" + value.get();
        return roll == 4 ? one + ",\"" + name + "\":" + value.get() : one;
      };
    }

    @SafeVarargs
    final String object(Supplier<String>... fields) {
      List<String> parts = new ArrayList<>();
      for (Supplier<String> f : fields) {
        String part = f.get();
        if (part != null) {
          parts.add(part);
        }
      }
      if (random.nextInt(4) == 0) {
        java.util.Collections.shuffle(parts, new java.util.Random(random.nextLong()));
      }
      return "{" + String.join(",", parts) + "}";
    }

    /** One of the choices; the first (always a well-formed value) half of the time. */
    @SafeVarargs
    final Supplier<String> oneOf(Supplier<String>... choices) {
      return random.nextBoolean() ? choices[0] : choices[random.nextInt(choices.length)];
    }

    String string() {
      return oneOf(() -> "\"\"", () -> "\"a b\"", () -> "\"\\u00e9\\n\\\"q\\\" \\ud83d\\ude00\"",
          () -> "\"stop\"", () -> "\"<|im_end|>\"").get();
    }

    String number() {
      return oneOf(this::smallInt, () -> "-7", () -> "3.25", () -> "1e3").get();
    }

    String smallInt() {
      return Integer.toString(random.nextInt(4));
    }

    String nul() {
      return "null";
    }

    String bool() {
      return random.nextBoolean() ? "true" : "false";
    }
  }
}
