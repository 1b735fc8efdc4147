package io.flexroute.benchmarks.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexroute.ChatChunk;
import io.flexroute.Worker;
import io.flexroute.transport.http.internal.Failures;
import io.flexroute.transport.http.internal.JsonCodec;
import io.flexroute.transport.http.internal.OpenAiCodec;
import io.flexroute.transport.http.internal.StreamDecoders;
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
 * The client-side cost of reading one chat completion stream: the SSE body of a 32-token answer
 * (35 events as SGLang writes them: the role, 32 tokens, the finish reason, the usage; then
 * {@code [DONE]}) read from memory.
 *
 * <ul>
 *   <li>{@code application}: what an application does without a router (the overhead benchmark's
 *       direct path): Okio reads each line as a string and Jackson parses each event's data into
 *       a tree; the baseline.
 *   <li>{@code flexroute}: the HTTP transport's path: its SSE reader and chat stream decoder,
 *       which turn every event into a typed {@link ChatChunk}.
 * </ul>
 *
 * <p>One operation is one whole stream, so the score divided by 36 is the cost per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StreamDecodeBenchmark {

  private static final int TOKENS = 32;
  private static final String DATA = "data: ";

  private final ObjectMapper mapper = new ObjectMapper();
  private final JsonCodec json = JsonCodec.createDefault();
  private final OpenAiCodec codec = new OpenAiCodec(json);
  private final Failures failures = new Failures(json);
  private final Worker worker = Worker.of("w0", "http://127.0.0.1:1");
  private byte[] body;

  /** Builds the stream body once. */
  @Setup
  public void setUp() {
    body = chatStream(TOKENS, new SplittableRandom(7)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The body of a chat stream of {@code tokens} tokens, as SGLang writes it.
   *
   * @param tokens the answer's tokens
   * @param random the source of the words
   * @return the SSE body
   */
  static String chatStream(int tokens, SplittableRandom random) {
    String id = "8f6a1c0e2d9b4b7c9a3e5f1d2c4b6a80";
    String head =
        "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1764633600,"
            + "\"model\":\"fake-model\",\"choices\":[{\"index\":0,\"delta\":";
    StringBuilder sb = new StringBuilder();
    sb.append(DATA).append(head)
        .append("{\"role\":\"assistant\",\"content\":\"\",\"reasoning_content\":null,"
            + "\"tool_calls\":null},\"logprobs\":null,\"finish_reason\":null,"
            + "\"matched_stop\":null}],\"usage\":null}\n\n");
    for (int i = 0; i < tokens; i++) {
      sb.append(DATA).append(head)
          .append("{\"role\":null,\"content\":\" w").append(Integer.toString(random.nextInt(1 << 20), 36))
          .append("\",\"reasoning_content\":null,\"tool_calls\":null},\"logprobs\":null,"
              + "\"finish_reason\":null,\"matched_stop\":null}],\"usage\":null}\n\n");
    }
    sb.append(DATA).append(head)
        .append("{\"role\":null,\"content\":null,\"reasoning_content\":null,\"tool_calls\":null},"
            + "\"logprobs\":null,\"finish_reason\":\"length\",\"matched_stop\":null}],"
            + "\"usage\":null}\n\n");
    sb.append(DATA)
        .append("{\"id\":\"").append(id).append("\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1764633600,\"model\":\"fake-model\",\"choices\":[],\"usage\":"
            + "{\"prompt_tokens\":310,\"total_tokens\":342,\"completion_tokens\":32,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":256}}}\n\n");
    sb.append("data: [DONE]\n\n");
    return sb.toString();
  }

  /**
   * The application's own reading: lines as strings, each event's data as a Jackson tree.
   *
   * @return the usage's completion tokens
   * @throws IOException never, the body is in memory
   */
  @Benchmark
  public int application() throws IOException {
    JsonNode[] usage = new JsonNode[1];
    StreamBodies.forEachData(
        body,
        data -> {
          JsonNode event = mapper.readTree(data);
          if (event.hasNonNull("usage")) {
            usage[0] = event.get("usage");
          }
        });
    return usage[0] == null ? -1 : usage[0].path("completion_tokens").asInt(-1);
  }

  /**
   * FlexRoute's reading: typed chunks from the transport's reader and decoder.
   *
   * @param blackhole takes every chunk
   * @throws IOException never, the body is in memory
   */
  @Benchmark
  public void flexroute(Blackhole blackhole) throws IOException {
    StreamBodies.decodeAll(
        body, StreamDecoders.chat(codec, json, failures, worker, "r1"), blackhole);
  }
}
