package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.FinishReason;
import io.flexroute.GenerateResult;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The streaming reader of {@code /generate} answers against the tree path it shortcuts: for every
 * answer both must give the same result or the same error.
 */
class GenerateFastPathTest {

  private static final FinishReason UNKNOWN =
      new FinishReason(FinishReason.Type.OTHER, "unknown", null, null, null);

  private final JsonCodec json = JsonCodec.createDefault();
  private final GenerateCodec codec = new GenerateCodec(json);
  private final GenerateFastPath fastPath = new GenerateFastPath(json);

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsTheAnswersSglangWrites() {
    String answer =
        "{\"text\":\" Paris.\",\"output_ids\":[12095,13],\"meta_info\":{\"id\":\"r1\","
            + "\"finish_reason\":{\"type\":\"stop\",\"matched\":151645},\"prompt_tokens\":9,"
            + "\"weight_version\":\"v3\",\"completion_tokens\":2,\"cached_tokens\":8,"
            + "\"output_token_logprobs\":[[-0.25,12095,null],[-1.5e-3,13,\".\"]],"
            + "\"e2e_latency\":0.05}}";
    GenerateResult result = fastPath.result(bytes(answer), "r1", "w1", UNKNOWN);
    assertThat(result).isNotNull();
    assertThat(result.text()).isEqualTo(" Paris.");
    assertThat(result.outputIds()).isEqualTo(TokenIds.of(12095, 13));
    assertThat(result.outputLogprobs()).isEqualTo(TokenLogprobs.of(-0.25, -1.5e-3));
    assertThat(result.finishReason())
        .isEqualTo(new FinishReason(FinishReason.Type.STOP, "stop", 151645, null, null));
    assertThat(result.usage()).isEqualTo(new TokenUsage(9, 2, 8));
    assertThat(result.weightVersion()).isEqualTo("v3");
    assertThat(result).isEqualTo(codec.decodeTree(bytes(answer), "r1", "w1"));

    String aborted =
        "{\"text\":\"\",\"output_ids\":[],\"meta_info\":{\"finish_reason\":{\"type\":\"abort\","
            + "\"message\":\"weights updating\"},\"prompt_tokens\":3,\"completion_tokens\":0}}";
    GenerateResult abort = fastPath.result(bytes(aborted), "r1", "w1", UNKNOWN);
    assertThat(abort).isNotNull();
    assertThat(abort.finishReason().isAbort()).isTrue();
    assertThat(abort.finishReason().message()).isEqualTo("weights updating");
    assertThat(abort).isEqualTo(codec.decodeTree(bytes(aborted), "r1", "w1"));
  }

  @Test
  void readsWeightVersionSpans() {
    String answer =
        "{\"text\":\"abc\",\"output_ids\":[1,2,3],\"meta_info\":{\"finish_reason\":\"stop\","
            + "\"weight_version\":\"8\",\"weight_versions\":[{\"version\":\"7\",\"start\":0,"
            + "\"end\":2},{\"version\":\"8\",\"start\":2,\"end\":3}]}}";
    GenerateResult result = fastPath.result(bytes(answer), "r1", "w1", UNKNOWN);

    assertThat(result).isNotNull();
    assertThat(result.weightVersionSpans())
        .containsExactly(
            new io.flexroute.WeightVersionSpan("7", 0, 2),
            new io.flexroute.WeightVersionSpan("8", 2, 3));
    assertThat(result.tokenWeightVersion(1)).isEqualTo("7");
    assertThat(result.tokenWeightVersion(2)).isEqualTo("8");
    assertThat(result).isEqualTo(codec.decodeTree(bytes(answer), "r1", "w1"));
  }

  @Test
  void spansThatCannotBeRead_areDropped_andTheAnswerKept() {
    for (String spans :
        List.of(
            "[{\"version\":\"7\",\"start\":0,\"end\":3}]",
            "[{\"version\":\"7\",\"start\":0,\"end\":2},{\"version\":\"8\",\"start\":1,\"end\":2}]",
            "[{\"weight_version\":\"7\",\"first\":0,\"last\":1}]",
            "{\"7\":[0,2]}")) {
      String answer =
          "{\"output_ids\":[1,2],\"meta_info\":{\"weight_version\":\"8\",\"weight_versions\":"
              + spans + "}}";
      assertThat(fastPath.result(bytes(answer), "r1", "w1", UNKNOWN)).as(spans).isNull();
      GenerateResult result = codec.decode(bytes(answer), "r1", "w1");
      assertThat(result.weightVersionSpans()).as(spans).isEmpty();
      assertThat(result.outputIds()).isEqualTo(TokenIds.of(1, 2));
      assertThat(result.tokenWeightVersion(0)).isEqualTo("8");
    }
  }

  @Test
  void leavesErrorsAndOddShapesToTheTreePath() {
    for (String odd :
        List.of(
            "{\"error\":{\"message\":\"bad\"}}",
            "{\"object\":\"error\",\"message\":\"bad\"}",
            "[{\"text\":\"a\"}]",
            "{\"text\":\"a\",\"text\":\"b\"}",
            "{\"output_ids\":[1,-2]}",
            "{\"output_ids\":[1,3000000000]}",
            "{\"meta_info\":{\"output_token_logprobs\":[[]]}}",
            "{\"meta_info\":{\"weight_version\":3}}",
            "{\"text\":\"a\"} x",
            "{\"text\":\"a\"")) {
      assertThat(fastPath.result(bytes(odd), "r1", "w1", UNKNOWN)).as(odd).isNull();
    }
  }

  @Test
  void agreesWithTheTreePathOnRandomAnswers() {
    SplittableRandom random = new SplittableRandom(17);
    int accepted = 0;
    int withSpans = 0;
    int rounds = 20_000;
    for (int i = 0; i < rounds; i++) {
      String answer = new Generator(random).answer();
      byte[] body = bytes(answer);
      Object expected = outcome(() -> codec.decodeTree(body, "r1", "w1"));
      Object actual = outcome(() -> codec.decode(body, "r1", "w1"));
      assertThat(actual).as(answer).isEqualTo(expected);
      GenerateResult fast = fastPath.result(body, "r1", "w1", UNKNOWN);
      if (fast != null) {
        accepted++;
        withSpans += fast.weightVersionSpans().isEmpty() ? 0 : 1;
        assertThat(fast).as(answer).isEqualTo(expected);
      }
    }
    // Well-formed answers are generated often enough for the fast path to be what is compared.
    assertThat(accepted).isGreaterThan(rounds / 5);
    assertThat(withSpans).isGreaterThan(rounds / 50);
  }

  @Test
  void agreesWithTheTreePathOnRandomStreams() {
    SplittableRandom random = new SplittableRandom(29);
    Failures failures = new Failures(json);
    Worker worker = Worker.of("w1", "http://127.0.0.1:1");
    int fastEvents = 0;
    for (int stream = 0; stream < 4_000; stream++) {
      GenerateStreamDecoder fast = new GenerateStreamDecoder(json, failures, worker, "r1");
      GenerateStreamDecoder tree = new GenerateStreamDecoder(json, failures, worker, "r1");
      int events = 1 + random.nextInt(6);
      boolean failed = false;
      for (int e = 0; e < events && !failed; e++) {
        String data = new Generator(random).answer();
        if (fastPath.fields(bytes(data), 0, bytes(data).length) != null) {
          fastEvents++;
        }
        // A named event always takes the tree path.
        Object expected = outcome(() -> tree.decode(new SseEvent("message", null, data)));
        Object actual = outcome(() -> fast.decode(new SseEvent(null, null, data)));
        assertThat(actual).as(data).isEqualTo(expected);
        failed = expected instanceof String;
      }
      if (!failed) {
        boolean sawDone = random.nextBoolean();
        assertThat(outcome(() -> {
              fast.end(sawDone);
              return "ended";
            }))
            .isEqualTo(outcome(() -> {
              tree.end(sawDone);
              return "ended";
            }));
      }
    }
    assertThat(fastEvents).isGreaterThan(2_000);
  }

  /** The result, or the error's class and message. */
  private static Object outcome(Supplier<Object> decode) {
    try {
      return decode.get();
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /** Random answers: mostly of the usual shape, with every kind of deviation now and then. */
  private static final class Generator {

    private final SplittableRandom random;
    private final boolean wellFormed;

    Generator(SplittableRandom random) {
      this.random = random;
      this.wellFormed = random.nextBoolean();
    }

    private boolean odd() {
      return !wellFormed && random.nextInt(6) == 0;
    }

    String answer() {
      if (odd()) {
        return pick("[]", "null", "\"x\"", "{", "{\"text\":\"a\"} {}", "{\"text\":\"a\",}");
      }
      List<String> fields = new ArrayList<>();
      maybe(fields, "text", () -> odd() ? pick("1", "true", "[]", "{}") : pick("null",
          "\"hello\"", "\"\"", "\"caf\\u00e9 \\\"q\\\"\""));
      maybe(fields, "output_ids", this::ids);
      maybe(fields, "meta_info", this::meta);
      if (odd()) {
        fields.add(pick("\"error\":\"boom\"", "\"error\":null", "\"object\":\"error\"",
            "\"object\":\"generate\"", "\"text\":\"again\""));
      }
      if (random.nextInt(4) == 0) {
        fields.add("\"index\":" + pick("0", "[1,{\"a\":[2]}]", "{\"x\":null}"));
      }
      shuffle(fields);
      String doc = "{" + String.join(",", fields) + "}";
      return odd() ? doc + pick(" ", "\n", " 1", "]") : doc;
    }

    private String ids() {
      if (odd()) {
        return pick("\"1,2\"", "{}", "1", "[1,[2]]", "[1,-1]", "[2147483648]", "[1.0]", "[null]");
      }
      if (random.nextInt(5) == 0) {
        return pick("null", "[]");
      }
      StringBuilder s = new StringBuilder("[");
      int n = 1 + random.nextInt(70);
      for (int i = 0; i < n; i++) {
        s.append(i == 0 ? "" : ",").append(random.nextInt(152_000));
      }
      return s.append(']').toString();
    }

    private String meta() {
      if (odd()) {
        return pick("[]", "\"m\"", "1");
      }
      if (random.nextInt(8) == 0) {
        return "null";
      }
      List<String> fields = new ArrayList<>();
      maybe(fields, "finish_reason", this::finish);
      maybe(fields, "completion_tokens", this::count);
      maybe(fields, "prompt_tokens", this::count);
      maybe(fields, "cached_tokens", this::count);
      maybe(fields, "output_token_logprobs", this::logprobs);
      maybe(fields, "weight_version", () -> odd() ? pick("3", "1.5", "true", "[]", "{}")
          : pick("null", "\"v1\"", "\"\""));
      maybe(fields, "weight_versions", this::spans);
      if (random.nextInt(3) == 0) {
        fields.add(pick("\"id\":\"r1\"", "\"e2e_latency\":0.25", "\"spec\":{\"a\":[1,2]}"));
      }
      if (odd()) {
        fields.add(pick("\"prompt_tokens\":4", "\"finish_reason\":null"));
      }
      shuffle(fields);
      return "{" + String.join(",", fields) + "}";
    }

    private String finish() {
      if (odd()) {
        return pick("1", "[]", "true", "{\"type\":1}", "{\"type\":\"stop\",\"message\":[1]}",
            "{\"type\":\"stop\",\"message\":2}", "{\"type\":\"stop\",\"type\":\"length\"}");
      }
      String type = pick("\"stop\"", "\"length\"", "\"abort\"", "\"tool_calls\"", "\"weird\"",
          "null");
      List<String> fields = new ArrayList<>();
      maybe(fields, "type", () -> type);
      maybe(fields, "matched", () -> pick("151645", "\"</s>\"", "null", "3000000000", "1.5",
          "[1]", "{\"a\":1}", "true"));
      maybe(fields, "message", () -> pick("\"stopped\"", "null"));
      maybe(fields, "status_code", () -> pick("503", "429", "400", "200", "600", "\"503\"",
          "null", "5000000000", "[503]"));
      maybe(fields, "length", () -> "128");
      shuffle(fields);
      return random.nextInt(5) == 0 ? type : "{" + String.join(",", fields) + "}";
    }

    private String spans() {
      if (odd()) {
        return pick("{}", "1", "[1]", "[[]]", "[{\"version\":3,\"start\":0,\"end\":1}]",
            "[{\"version\":\"v1\",\"start\":\"0\",\"end\":1}]",
            "[{\"version\":\"v1\",\"start\":0}]", "[{\"version\":\"\",\"start\":0,\"end\":1}]",
            "[{\"version\":\"v1\",\"start\":2,\"end\":1}]",
            "[{\"version\":\"v1\",\"start\":-1,\"end\":1}]",
            "[{\"version\":\"v1\",\"start\":0,\"end\":4,\"end\":5}]",
            "[{\"version\":\"v1\",\"start\":0,\"end\":4},{\"version\":\"v2\",\"start\":3,"
                + "\"end\":6}]", "[null]");
      }
      if (random.nextInt(5) == 0) {
        return pick("null", "[]");
      }
      // Spans of random lengths: they may or may not fit the output, which both paths must judge
      // alike.
      StringBuilder s = new StringBuilder("[");
      int n = 1 + random.nextInt(3);
      int at = random.nextInt(3) == 0 ? random.nextInt(4) : 0;
      for (int i = 0; i < n; i++) {
        int end = at + random.nextInt(40);
        s.append(i == 0 ? "" : ",")
            .append("{\"version\":\"v").append(i + 1).append("\",\"start\":").append(at)
            .append(",\"end\":").append(end)
            .append(random.nextInt(4) == 0 ? ",\"extra\":[1]" : "").append('}');
        at = end;
      }
      return s.append(']').toString();
    }

    private String count() {
      if (odd()) {
        return pick("-1", "3000000000", "1.5", "\"3\"", "[]", "true");
      }
      return pick("null", "0", String.valueOf(random.nextInt(100_000)));
    }

    private String logprobs() {
      if (odd()) {
        return pick("{}", "1", "[1]", "[[]]", "[[\"x\",1]]", "[[[1],2]]",
            "[[123456789012345678901234567890,1]]", "[null]");
      }
      if (random.nextInt(5) == 0) {
        return pick("null", "[]");
      }
      StringBuilder s = new StringBuilder("[");
      int n = 1 + random.nextInt(70);
      for (int i = 0; i < n; i++) {
        String lp = pick("-0.5", "-1.25e-3", "0", "-12", "null", "NaN", "-Infinity",
            String.valueOf(-random.nextDouble() * 20));
        String rest = pick("", "," + random.nextInt(152_000),
            "," + random.nextInt(152_000) + ",null", "," + random.nextInt(9) + ",\"tok\"",
            ",1,[\"nested\",{\"a\":1}]");
        s.append(i == 0 ? "" : ",").append('[').append(lp).append(rest).append(']');
      }
      return s.append(']').toString();
    }

    private void maybe(List<String> fields, String name, Supplier<String> value) {
      if (random.nextInt(6) != 0) {
        fields.add("\"" + name + "\":" + value.get());
      }
    }

    private String pick(String... options) {
      return options[random.nextInt(options.length)];
    }

    private void shuffle(List<String> list) {
      for (int i = list.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        String t = list.get(i);
        list.set(i, list.get(j));
        list.set(j, t);
      }
    }
  }
}
