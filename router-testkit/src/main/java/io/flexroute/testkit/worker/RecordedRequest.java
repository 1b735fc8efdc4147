package io.flexroute.testkit.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as the fake worker received it: method, path, query, headers and raw body.
 *
 * <p>The worker records every request before it answers it, including requests that a fault
 * answers. Tests use it to check what a router sent (headers such as {@code Authorization} and
 * {@code X-Request-Id}, the JSON body), and {@link FaultPolicy} implementations use it to decide
 * per request. Header names are matched case-insensitively.
 *
 * <p>Instances are immutable and thread-safe; {@link #json()} parses a fresh tree on each call, so
 * changing the returned tree does not change the record.
 */
public final class RecordedRequest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final long sequence;
  private final Instant receivedAt;
  private final String method;
  private final String path;
  private final @Nullable String query;
  private final Map<String, List<String>> headers;
  private final String body;
  private final boolean generation;
  private final boolean streaming;

  /**
   * Creates a record; the worker calls this, and tests may call it to exercise a
   * {@link FaultPolicy} directly.
   *
   * @param sequence the request's position in arrival order, starting at 1
   * @param receivedAt when the request arrived
   * @param method the HTTP method, such as {@code "POST"}
   * @param path the decoded request path, such as {@code "/generate"}
   * @param query the raw query string without {@code '?'}, or {@code null} if there is none
   * @param headers the request headers; names are copied into a case-insensitive map
   * @param body the request body decoded as UTF-8, empty if there was none
   * @param generation whether the request is a text-generation call ({@code POST /generate},
   *     {@code /v1/chat/completions} or {@code /v1/completions})
   * @param streaming whether it is a generation call whose body asks for {@code "stream": true}
   */
  public RecordedRequest(
      long sequence,
      Instant receivedAt,
      String method,
      String path,
      @Nullable String query,
      Map<String, List<String>> headers,
      String body,
      boolean generation,
      boolean streaming) {
    this.sequence = sequence;
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    this.query = query;
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (name, values) -> copy.merge(name, List.copyOf(values), RecordedRequest::concat));
    this.headers = Collections.unmodifiableMap(copy);
    this.body = Objects.requireNonNull(body, "body");
    this.generation = generation;
    this.streaming = streaming;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return List.copyOf(all);
  }

  /**
   * Returns the request's position in arrival order.
   *
   * @return 1 for the first request the worker received, 2 for the next, and so on
   */
  public long sequence() {
    return sequence;
  }

  /**
   * Returns when the request arrived.
   *
   * @return the arrival time
   */
  public Instant receivedAt() {
    return receivedAt;
  }

  /**
   * Returns the HTTP method.
   *
   * @return the method, such as {@code "POST"}
   */
  public String method() {
    return method;
  }

  /**
   * Returns the decoded request path.
   *
   * @return the path, such as {@code "/v1/chat/completions"}
   */
  public String path() {
    return path;
  }

  /**
   * Returns the raw query string.
   *
   * @return the query without the leading {@code '?'}, or {@code null} if the URL had none
   */
  public @Nullable String query() {
    return query;
  }

  /**
   * Returns every header, keyed case-insensitively.
   *
   * @return an unmodifiable map from header name to its values in arrival order
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Returns the first value of a header.
   *
   * @param name the header name, in any case
   * @return the first value, or {@code null} if the header is absent
   */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Returns the raw body.
   *
   * @return the body decoded as UTF-8, empty if there was none
   */
  public String body() {
    return body;
  }

  /**
   * Parses the body as JSON.
   *
   * @return a new tree on each call; a {@link MissingNode} if the body is empty or not valid JSON
   */
  public JsonNode json() {
    try {
      return MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return MissingNode.getInstance();
    }
  }

  /**
   * Tells whether this is a text-generation call.
   *
   * @return true for {@code POST /generate}, {@code /v1/chat/completions} and
   *     {@code /v1/completions}
   */
  public boolean generation() {
    return generation;
  }

  /**
   * Tells whether this is a generation call that asked for a streamed (SSE) answer.
   *
   * @return true if {@link #generation()} and the body has {@code "stream": true}
   */
  public boolean streaming() {
    return streaming;
  }

  @Override
  public String toString() {
    return "RecordedRequest{#" + sequence + " " + method + " " + path
        + (query == null ? "" : "?" + query) + ", " + body.length() + " body chars}";
  }
}
