package io.flexroute.benchmarks.transport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.GenerateRequest;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.transport.http.internal.GenerateCodec;
import io.flexroute.transport.http.internal.JsonCodec;
import java.io.IOException;
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

/**
 * Writing the body of an SGLang {@code /generate} call of an RL rollout turn: the conversation's
 * token ids with sampling parameters and {@code return_logprob}.
 *
 * <ul>
 *   <li>{@code application}: what an application does without a router: a Jackson tree with a
 *       node per token id, written by the mapper; the baseline.
 *   <li>{@code flexroute}: the HTTP transport's codec, from a typed {@link GenerateRequest}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GenerateEncodeBenchmark {

  /** Prompt tokens of the request. */
  @Param({"2048", "8192"})
  public int tokens;

  private final ObjectMapper mapper = new ObjectMapper();
  private final GenerateCodec codec = new GenerateCodec(JsonCodec.createDefault());
  private GenerateRequest request;
  private int[] ids;

  /** Builds the request once. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(3);
    ids = new int[tokens];
    for (int i = 0; i < tokens; i++) {
      ids[i] = random.nextInt(151_000);
    }
    request =
        GenerateRequest.builder()
            .inputIds(TokenIds.of(ids))
            .sampling(SamplingParams.builder().maxNewTokens(512).temperature(1.0).build())
            .returnLogprob(true)
            .build();
  }

  /**
   * The application's own body.
   *
   * @return the body
   * @throws IOException never
   */
  @Benchmark
  public byte[] application() throws IOException {
    ObjectNode body = mapper.createObjectNode();
    ArrayNode input = body.putArray("input_ids");
    for (int id : ids) {
      input.add(id);
    }
    ObjectNode sampling = body.putObject("sampling_params");
    sampling.put("max_new_tokens", 512);
    sampling.put("temperature", 1.0);
    body.put("rid", "r1");
    body.put("return_logprob", true);
    body.put("stream", false);
    return mapper.writeValueAsBytes(body);
  }

  /**
   * FlexRoute's codec.
   *
   * @return the body
   */
  @Benchmark
  public byte[] flexroute() {
    return codec.encode(request, "r1", false);
  }
}
