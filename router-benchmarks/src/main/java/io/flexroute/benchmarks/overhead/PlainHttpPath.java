package io.flexroute.benchmarks.overhead;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flexroute.benchmarks.load.RequestClock;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * The chat call as an application would make it without a router: Jackson writes the body, OkHttp
 * posts it synchronously on the calling thread to {@code /v1/chat/completions} of one of the
 * targets (in turn), and Jackson parses the answer, or each SSE event of a stream. Pointed at the
 * workers it is the baseline path; pointed at a reverse proxy it is the proxy path.
 *
 * <p>Thread-safe.
 */
final class PlainHttpPath implements ChatPath {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final String DATA = "data: ";

  private final String label;
  private final OkHttpClient client;
  private final List<HttpUrl> targets;
  private final ObjectMapper mapper;
  private final ChatWorkload workload;
  private final AtomicInteger turn = new AtomicInteger();

  PlainHttpPath(
      String label,
      OkHttpClient client,
      List<String> baseUrls,
      ObjectMapper mapper,
      ChatWorkload workload) {
    this.label = label;
    this.client = client;
    this.targets =
        baseUrls.stream().map(u -> HttpUrl.get(u + "/v1/chat/completions")).toList();
    this.mapper = mapper;
    this.workload = workload;
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public void send(int sequence, boolean stream, RequestClock clock) throws IOException {
    HttpUrl url = targets.get(Math.floorMod(turn.getAndIncrement(), targets.size()));
    byte[] body = mapper.writeValueAsBytes(workload.body(sequence, stream));
    Request request = new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build();
    try (Response response = client.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new IOException(label + ": HTTP " + response.code() + " from " + url);
      }
      JsonNode usage = stream ? readStream(response, clock) : readPlain(response);
      int tokens = usage == null ? -1 : usage.path("completion_tokens").asInt(-1);
      if (tokens != workload.maxTokens()) {
        throw new IOException(label + ": expected " + workload.maxTokens() + " tokens, got "
            + tokens);
      }
    }
  }

  private JsonNode readPlain(Response response) throws IOException {
    JsonNode root = mapper.readTree(response.body().bytes());
    if (root.path("choices").path(0).path("message").path("content").asText().isEmpty()) {
      throw new IOException(label + ": answer without content");
    }
    return root.get("usage");
  }

  private JsonNode readStream(Response response, RequestClock clock) throws IOException {
    BufferedSource source = response.body().source();
    JsonNode usage = null;
    boolean done = false;
    for (String line = source.readUtf8Line(); line != null; line = source.readUtf8Line()) {
      if (!line.startsWith(DATA)) {
        continue;
      }
      String data = line.substring(DATA.length());
      if (data.equals("[DONE]")) {
        done = true;
        break;
      }
      clock.firstChunk();
      JsonNode event = mapper.readTree(data);
      if (event.hasNonNull("usage")) {
        usage = event.get("usage");
      }
    }
    if (!done) {
      throw new IOException(label + ": stream ended without [DONE]");
    }
    return usage;
  }

  @Override
  public void close() {
    // The client belongs to the caller.
  }
}
