package io.flexroute.benchmarks.overhead;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The chat requests every path sends: a fixed set of distinct conversations (a system prompt and a
 * user turn), each asking for exactly {@code maxTokens} tokens ({@code ignore_eos}), as router
 * requests and as the equivalent JSON bodies for the plain HTTP paths.
 *
 * <p>Immutable and thread-safe once built; the JSON trees must not be changed by callers.
 */
final class ChatWorkload {

  private static final String[] WORDS = {
    "the", "router", "sends", "each", "request", "to", "a", "worker", "that", "holds", "its",
    "prefix", "cache", "model", "answer", "token", "stream", "batch", "latency", "policy", "queue",
    "engine", "context", "prompt", "review", "summary", "account", "weather", "travel", "recipe",
    "garden", "history", "science", "ocean", "mountain", "river", "market", "library", "music"
  };

  private final List<ChatRequest> requests;
  private final List<ObjectNode> plainBodies;
  private final List<ObjectNode> streamBodies;
  private final int maxTokens;

  private ChatWorkload(
      List<ChatRequest> requests,
      List<ObjectNode> plainBodies,
      List<ObjectNode> streamBodies,
      int maxTokens) {
    this.requests = requests;
    this.plainBodies = plainBodies;
    this.streamBodies = streamBodies;
    this.maxTokens = maxTokens;
  }

  /**
   * Builds the workload from a fixed seed.
   *
   * @param distinct how many distinct conversations
   * @param systemWords words in each system prompt
   * @param userWords words in each user turn
   * @param maxTokens tokens each answer has
   * @param mapper creates the JSON trees
   */
  static ChatWorkload create(
      int distinct, int systemWords, int userWords, int maxTokens, ObjectMapper mapper) {
    SplittableRandom random = new SplittableRandom(7);
    List<ChatRequest> requests = new ArrayList<>();
    List<ObjectNode> plain = new ArrayList<>();
    List<ObjectNode> stream = new ArrayList<>();
    for (int i = 0; i < distinct; i++) {
      String system = sentence(random, systemWords);
      String user = sentence(random, userWords);
      requests.add(
          ChatRequest.builder()
              .model(WorkerFleet.MODEL)
              .message(ChatMessage.system(system))
              .message(ChatMessage.user(user))
              .maxTokens(maxTokens)
              .extraBody("ignore_eos", true)
              .build());
      plain.add(body(mapper, system, user, maxTokens, false));
      stream.add(body(mapper, system, user, maxTokens, true));
    }
    return new ChatWorkload(List.copyOf(requests), List.copyOf(plain), List.copyOf(stream),
        maxTokens);
  }

  /** The body the router's HTTP transport sends for the same request to an OpenAI worker. */
  private static ObjectNode body(
      ObjectMapper mapper, String system, String user, int maxTokens, boolean stream) {
    ObjectNode body = mapper.createObjectNode();
    body.put("model", WorkerFleet.MODEL);
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", system);
    messages.addObject().put("role", "user").put("content", user);
    body.put("max_tokens", maxTokens);
    body.put("stream", stream);
    if (stream) {
      body.putObject("stream_options").put("include_usage", true);
    }
    body.put("ignore_eos", true);
    return body;
  }

  private static String sentence(SplittableRandom random, int words) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.append('.').toString();
  }

  ChatRequest request(int sequence) {
    return requests.get(sequence % requests.size());
  }

  ObjectNode body(int sequence, boolean stream) {
    List<ObjectNode> bodies = stream ? streamBodies : plainBodies;
    return bodies.get(sequence % bodies.size());
  }

  int maxTokens() {
    return maxTokens;
  }
}
