package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.GenerateRequest;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code /generate} bodies against a reference built field by field as a tree: the same bytes for
 * every request, whether the streaming writer or the tree path writes them.
 */
class GenerateBodyTest {

  @Test
  void writesTheSameBytesAsTheTreeForRandomRequests() {
    SplittableRandom random = new SplittableRandom(31);
    JsonCodec own = JsonCodec.createDefault();
    JsonCodec callers = JsonCodec.copyOf(new ObjectMapper());
    for (int i = 0; i < 5_000; i++) {
      GenerateRequest request = randomRequest(random);
      boolean stream = random.nextBoolean();
      for (JsonCodec json : List.of(own, callers)) {
        String expected = text(reference(json, request, "rid-" + i, stream));
        assertThat(text(new GenerateCodec(json).encode(request, "rid-" + i, stream)))
            .isEqualTo(expected);
      }
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static GenerateRequest randomRequest(SplittableRandom random) {
    GenerateRequest.Builder b = GenerateRequest.builder();
    if (random.nextBoolean()) {
      b.text(random.nextBoolean() ? "plain prompt text ".repeat(1 + random.nextInt(20))
          : "with \"quotes\", é and \n".repeat(1 + random.nextInt(5)));
    } else {
      int[] ids = new int[1 + random.nextInt(3_000)];
      for (int k = 0; k < ids.length; k++) {
        ids[k] = random.nextInt(152_000);
      }
      b.inputIds(TokenIds.of(ids));
    }
    SamplingParams.Builder s = SamplingParams.builder();
    if (random.nextBoolean()) {
      s.maxNewTokens(1 + random.nextInt(4096));
    }
    if (random.nextBoolean()) {
      s.temperature(random.nextInt(3) == 0 ? 0.0 : random.nextDouble() * 2);
    }
    if (random.nextBoolean()) {
      s.topP(random.nextDouble());
    }
    if (random.nextBoolean()) {
      s.topK(1 + random.nextInt(100));
    }
    if (random.nextInt(4) == 0) {
      s.stop("</s>", "\n\n");
    }
    if (random.nextInt(4) == 0) {
      s.stopTokenIds(TokenIds.of(151645, 151643));
    }
    if (random.nextBoolean()) {
      s.ignoreEos(random.nextBoolean());
    }
    if (random.nextInt(4) == 0) {
      s.seed(random.nextLong());
    }
    if (random.nextInt(6) == 0) {
      s.regex("[a-z]+");
    }
    b.sampling(s.build());
    if (random.nextBoolean()) {
      b.returnLogprob(true);
    }
    if (random.nextInt(4) == 0) {
      b.logprobStartLen(random.nextInt(100));
    }
    if (random.nextInt(4) == 0) {
      b.topLogprobsNum(1 + random.nextInt(5));
    }
    int extras = random.nextInt(4);
    for (int k = 0; k < extras; k++) {
      String[] names = {
        "lora_path", "custom", "stream", "logprob_start_len", "sampling_params", "return_logprob"
      };
      String name = names[random.nextInt(names.length)];
      Object value = switch (random.nextInt(4)) {
        case 0 -> "value";
        case 1 -> random.nextInt(1000);
        case 2 -> Map.of("temperature", 0.5, "nested", List.of(1, "two"));
        default -> List.of(true, 2.5);
      };
      b.extraBody(name, value);
    }
    return b.build();
  }

  /** The body as the codec built it before it had a streaming writer: a tree, field by field. */
  private static byte[] reference(
      JsonCodec json, GenerateRequest request, String rid, boolean stream) {
    ObjectNode body = json.newObject();
    if (request.text() != null) {
      body.put("text", request.text());
    } else if (request.inputIds() != null) {
      ids(body.putArray("input_ids"), request.inputIds());
    }
    SamplingParams s = request.sampling();
    ObjectNode p = body.putObject("sampling_params");
    if (s.maxNewTokens() != null) {
      p.put("max_new_tokens", s.maxNewTokens());
    }
    if (s.minNewTokens() != null) {
      p.put("min_new_tokens", s.minNewTokens());
    }
    if (s.temperature() != null) {
      p.put("temperature", s.temperature());
    }
    if (s.topP() != null) {
      p.put("top_p", s.topP());
    }
    if (s.topK() != null) {
      p.put("top_k", s.topK());
    }
    if (!s.stop().isEmpty()) {
      ArrayNode stop = p.putArray("stop");
      s.stop().forEach(stop::add);
    }
    if (s.stopTokenIds() != null) {
      ids(p.putArray("stop_token_ids"), s.stopTokenIds());
    }
    if (s.ignoreEos() != null) {
      p.put("ignore_eos", s.ignoreEos());
    }
    if (s.seed() != null) {
      p.put("sampling_seed", s.seed());
    }
    if (s.regex() != null) {
      p.put("regex", s.regex());
    }
    body.put("rid", rid);
    if (request.returnLogprob()) {
      body.put("return_logprob", true);
    }
    if (request.logprobStartLen() != null) {
      body.put("logprob_start_len", request.logprobStartLen());
    }
    if (request.topLogprobsNum() > 0) {
      body.put("top_logprobs_num", request.topLogprobsNum());
    }
    body.put("stream", stream);
    json.mergeExtra(body, request.extraBody(), GenerateCodec.RESERVED);
    return json.write(body);
  }

  private static void ids(ArrayNode array, TokenIds ids) {
    for (int i = 0; i < ids.size(); i++) {
      array.add(ids.get(i));
    }
  }
}
