package io.flexroute.benchmarks.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.ApiFlavor;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.transport.http.internal.JsonCodec;
import io.flexroute.transport.http.internal.OpenAiCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The client-side JSON work of one plain chat call: writing the request body (a system prompt and a
 * user turn, about 1.3 KB of text, as the overhead benchmark sends) and reading a 32-token answer
 * as SGLang writes it.
 *
 * <ul>
 *   <li>{@code application}: what an application does without a router (the overhead benchmark's
 *       direct path): Jackson writes a tree it built and parses the answer into a tree; the
 *       baseline.
 *   <li>{@code flexroute}: the HTTP transport's codec: the body from a typed {@link ChatRequest},
 *       the answer into a typed {@link ChatCompletion}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChatCodecBenchmark {

  private final ObjectMapper mapper = new ObjectMapper();
  private final JsonCodec json = JsonCodec.createDefault();
  private final OpenAiCodec codec = new OpenAiCodec(json);
  private ChatRequest request;
  private ObjectNode body;
  private byte[] answer;

  /** Builds the request and the answer once. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(7);
    String system = words(random, 150);
    String user = words(random, 50);
    request =
        ChatRequest.builder()
            .model("fake-model")
            .message(ChatMessage.system(system))
            .message(ChatMessage.user(user))
            .maxTokens(32)
            .extraBody("ignore_eos", true)
            .build();
    body = mapper.createObjectNode();
    body.put("model", "fake-model");
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", system);
    messages.addObject().put("role", "user").put("content", user);
    body.put("max_tokens", 32);
    body.put("stream", false);
    body.put("ignore_eos", true);
    answer =
        ("{\"id\":\"8f6a1c0e2d9b4b7c9a3e5f1d2c4b6a80\",\"object\":\"chat.completion\","
                + "\"created\":1764633600,\"model\":\"fake-model\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + words(random, 32)
                + "\",\"reasoning_content\":null,\"tool_calls\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"length\",\"matched_stop\":null}],\"usage\":"
                + "{\"prompt_tokens\":310,\"total_tokens\":342,\"completion_tokens\":32,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":256}},"
                + "\"metadata\":{\"weight_version\":\"default\"}}")
            .getBytes(StandardCharsets.UTF_8);
  }

  private static String words(SplittableRandom random, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(Integer.toString(random.nextInt(1 << 20), 36));
    }
    return sb.toString();
  }

  /**
   * The application's own JSON work.
   *
   * @param blackhole takes the body and the answer's parts
   * @throws IOException never
   */
  @Benchmark
  public void application(Blackhole blackhole) throws IOException {
    blackhole.consume(mapper.writeValueAsBytes(body));
    JsonNode root = mapper.readTree(answer);
    blackhole.consume(root.path("choices").path(0).path("message").path("content").asText());
    blackhole.consume(root.get("usage"));
  }

  /**
   * The application's request body alone.
   *
   * @return the body
   * @throws IOException never
   */
  @Benchmark
  public byte[] applicationWrite() throws IOException {
    return mapper.writeValueAsBytes(body);
  }

  /**
   * FlexRoute's request body alone.
   *
   * @return the body
   */
  @Benchmark
  public byte[] flexrouteWrite() {
    return codec.encodeChat(request, ApiFlavor.SGLANG, "r1", false);
  }

  /**
   * The application's reading of the answer alone.
   *
   * @param blackhole takes the answer's parts
   * @throws IOException never
   */
  @Benchmark
  public void applicationRead(Blackhole blackhole) throws IOException {
    JsonNode root = mapper.readTree(answer);
    blackhole.consume(root.path("choices").path(0).path("message").path("content").asText());
    blackhole.consume(root.get("usage"));
  }

  /**
   * FlexRoute's reading of the answer alone.
   *
   * @return the completion
   */
  @Benchmark
  public ChatCompletion flexrouteRead() {
    return codec.decodeChat(answer, "r1", "w1");
  }

  /**
   * FlexRoute's codec.
   *
   * @param blackhole takes the body and the completion
   */
  @Benchmark
  public void flexroute(Blackhole blackhole) {
    blackhole.consume(codec.encodeChat(request, ApiFlavor.SGLANG, "r1", false));
    blackhole.consume(codec.decodeChat(answer, "r1", "w1"));
  }
}
