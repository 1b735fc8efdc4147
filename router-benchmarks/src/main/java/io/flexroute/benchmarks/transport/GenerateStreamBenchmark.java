package io.flexroute.benchmarks.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexroute.GenerateChunk;
import io.flexroute.Worker;
import io.flexroute.transport.http.internal.Failures;
import io.flexroute.transport.http.internal.JsonCodec;
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
 * Reading one SGLang {@code /generate} stream of an RL rollout turn, as SGLang sends it by default:
 * cumulative chunks, each with the whole text, all output ids and a {@code [logprob, token_id,
 * text]} tuple for every output token so far. 256 output tokens in chunks of 8 (32 events and
 * {@code [DONE]}), read from memory.
 *
 * <ul>
 *   <li>{@code application}: what an application does without a router: Okio reads each line as a
 *       string and Jackson parses each event's data into a tree, from which the last chunk's ids
 *       and logprobs are copied into arrays; the baseline.
 *   <li>{@code flexroute}: the HTTP transport's SSE reader and {@code /generate} stream decoder,
 *       which turn every event into a typed delta {@link GenerateChunk}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GenerateStreamBenchmark {

  private static final int TOKENS = 256;
  private static final int PER_CHUNK = 8;
  private static final String DATA = "data: ";

  private final ObjectMapper mapper = new ObjectMapper();
  private final JsonCodec json = JsonCodec.createDefault();
  private final Failures failures = new Failures(json);
  private final Worker worker = Worker.of("w0", "http://127.0.0.1:1");
  private byte[] body;

  /** Builds the stream body once. */
  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(9);
    StringBuilder sb = new StringBuilder();
    StringBuilder text = new StringBuilder();
    StringBuilder ids = new StringBuilder();
    StringBuilder logprobs = new StringBuilder();
    for (int i = 0; i < TOKENS; i++) {
      int id = random.nextInt(151_000);
      String sep = i == 0 ? "" : ",";
      text.append(' ').append(Integer.toString(id, 36));
      ids.append(sep).append(id);
      logprobs.append(sep).append('[').append(-random.nextDouble() * 8).append(',').append(id)
          .append(",null]");
      if ((i + 1) % PER_CHUNK == 0) {
        boolean last = i + 1 == TOKENS;
        sb.append(DATA).append("{\"text\":\"").append(text).append("\",\"output_ids\":[")
            .append(ids).append("],\"meta_info\":{\"id\":\"8f6a1c0e2d9b4b7c9a3e5f1d2c4b6a80\","
                + "\"finish_reason\":")
            .append(last ? "{\"type\":\"length\",\"length\":" + TOKENS + "}" : "null")
            .append(",\"prompt_tokens\":2048,\"weight_version\":\"7\",\"completion_tokens\":")
            .append(i + 1).append(",\"cached_tokens\":1920,\"output_token_logprobs\":[")
            .append(logprobs).append("]}}\n\n");
      }
    }
    sb.append("data: [DONE]\n\n");
    body = sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The application's own reading.
   *
   * @param blackhole takes the last chunk's ids and logprobs
   * @throws IOException never, the body is in memory
   */
  @Benchmark
  public void application(Blackhole blackhole) throws IOException {
    JsonNode[] lastEvent = new JsonNode[1];
    StreamBodies.forEachData(body, data -> lastEvent[0] = mapper.readTree(data));
    JsonNode last = lastEvent[0];
    JsonNode idNodes = last.path("output_ids");
    int[] ids = new int[idNodes.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = idNodes.get(i).intValue();
    }
    JsonNode tuples = last.path("meta_info").path("output_token_logprobs");
    double[] values = new double[tuples.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = tuples.get(i).get(0).doubleValue();
    }
    blackhole.consume(ids);
    blackhole.consume(values);
  }

  /**
   * FlexRoute's reading: typed delta chunks from the transport's reader and decoder.
   *
   * @param blackhole takes every chunk
   * @throws IOException never, the body is in memory
   */
  @Benchmark
  public void flexroute(Blackhole blackhole) throws IOException {
    StreamBodies.decodeAll(
        body, StreamDecoders.generate(json, failures, worker, "r1"), blackhole);
  }
}
