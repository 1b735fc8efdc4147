package io.flexroute.benchmarks.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexroute.GenerateResult;
import io.flexroute.transport.http.internal.GenerateCodec;
import io.flexroute.transport.http.internal.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reading an SGLang {@code /generate} answer of an RL rollout turn: the output text, the output
 * token ids and one {@code [logprob, token_id, text]} tuple per output token in {@code meta_info}.
 *
 * <ul>
 *   <li>{@code application}: what an application does without a router: Jackson parses the answer
 *       into a tree and the ids and logprobs are copied into arrays; the baseline.
 *   <li>{@code flexroute}: the HTTP transport's codec, into a typed {@link GenerateResult}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GenerateDecodeBenchmark {

  /** Output tokens of the answer. */
  @Param({"256", "4096"})
  public int tokens;

  private final ObjectMapper mapper = new ObjectMapper();
  private final GenerateCodec codec = new GenerateCodec(JsonCodec.createDefault());
  private byte[] answer;

  /** Builds the answer once. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(5);
    StringBuilder text = new StringBuilder();
    StringBuilder ids = new StringBuilder();
    StringBuilder logprobs = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      int id = random.nextInt(151_000);
      text.append(' ').append(Integer.toString(id, 36));
      ids.append(i == 0 ? "" : ",").append(id);
      logprobs.append(i == 0 ? "" : ",")
          .append('[').append(-random.nextDouble() * 8).append(',').append(id).append(",null]");
    }
    answer =
        ("{\"text\":\"" + text + "\",\"output_ids\":[" + ids + "],\"meta_info\":{\"id\":"
                + "\"8f6a1c0e2d9b4b7c9a3e5f1d2c4b6a80\",\"finish_reason\":{\"type\":\"length\","
                + "\"length\":" + tokens + "},\"prompt_tokens\":2048,\"weight_version\":\"7\","
                + "\"completion_tokens\":" + tokens + ",\"cached_tokens\":1920,"
                + "\"output_token_logprobs\":[" + logprobs + "],\"e2e_latency\":1.5}}")
            .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The application's own reading.
   *
   * @param blackhole takes the answer's parts
   * @throws IOException never
   */
  @Benchmark
  public void application(Blackhole blackhole) throws IOException {
    JsonNode root = mapper.readTree(answer);
    blackhole.consume(root.path("text").asText());
    JsonNode idNodes = root.path("output_ids");
    int[] ids = new int[idNodes.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = idNodes.get(i).intValue();
    }
    JsonNode meta = root.path("meta_info");
    JsonNode tuples = meta.path("output_token_logprobs");
    double[] logprobs = new double[tuples.size()];
    for (int i = 0; i < logprobs.length; i++) {
      logprobs[i] = tuples.get(i).get(0).doubleValue();
    }
    blackhole.consume(ids);
    blackhole.consume(logprobs);
    blackhole.consume(meta.path("finish_reason").path("type").asText());
    blackhole.consume(meta.path("weight_version").asText());
  }

  /**
   * FlexRoute's codec.
   *
   * @return the result
   */
  @Benchmark
  public GenerateResult flexroute() {
    return codec.decode(answer, "r1", "w1");
  }
}
