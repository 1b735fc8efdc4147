package io.flexroute.benchmarks.overhead;

import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.benchmarks.load.RequestClock;
import io.flexroute.transport.http.HttpTransport;
import java.util.List;

/**
 * The chat call through a router built in this process with its defaults (the {@code power_of_two}
 * strategy, retries and circuit breakers on) and the OkHttp transport, to every worker as an
 * OpenAI-compatible worker: blocking {@link Router#chat} and {@link Router#chatStream}.
 *
 * <p>Thread-safe.
 */
final class RouterPath implements ChatPath {

  private final HttpTransport transport;
  private final Router router;
  private final ChatWorkload workload;

  RouterPath(List<String> workerUrls, ChatWorkload workload) {
    this.transport = HttpTransport.create();
    this.router = build(workerUrls, transport);
    this.workload = workload;
  }

  private static Router build(List<String> workerUrls, HttpTransport transport) {
    var builder = Router.builder().transport(transport);
    for (int i = 0; i < workerUrls.size(); i++) {
      builder.worker(
          Worker.builder("w" + i, workerUrls.get(i))
              .flavor(ApiFlavor.OPENAI)
              .model(WorkerFleet.MODEL)
              .build());
    }
    return builder.build();
  }

  @Override
  public String label() {
    return "FlexRoute";
  }

  @Override
  public void send(int sequence, boolean stream, RequestClock clock) {
    TokenUsage usage = null;
    if (stream) {
      try (ResponseStream<ChatChunk> chunks = router.chatStream(workload.request(sequence))) {
        for (ChatChunk chunk : chunks) {
          clock.firstChunk();
          if (chunk.usage() != null) {
            usage = chunk.usage();
          }
        }
      }
    } else {
      ChatCompletion answer = router.chat(workload.request(sequence));
      if (answer.content() == null || answer.content().isEmpty()) {
        throw new IllegalStateException("router: answer without content");
      }
      usage = answer.usage();
    }
    int tokens = usage == null ? -1 : usage.completionTokens();
    if (tokens != workload.maxTokens()) {
      throw new IllegalStateException(
          "router: expected " + workload.maxTokens() + " tokens, got " + tokens);
    }
  }

  @Override
  public void close() {
    router.close();
    transport.close();
  }
}
