package io.flexroute.testkit.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** A small HTTP/1.1 client for the worker tests, with an SSE reader that keeps partial streams. */
final class TestClient {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String baseUrl;

  TestClient(FakeWorker worker) {
    this.baseUrl = worker.baseUrl();
  }

  /** A complete response. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      return parse(body);
    }

    @Nullable String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  /**
   * What a client saw of an SSE response.
   *
   * @param events the data payloads in order, including {@code [DONE]}
   * @param failure the read error that ended the stream, or null if it ended cleanly
   */
  record Sse(int status, @Nullable String contentType, List<String> events,
      @Nullable IOException failure) {

    boolean done() {
      return !events.isEmpty() && events.get(events.size() - 1).equals("[DONE]");
    }

    /** Returns the payloads other than {@code [DONE]}, parsed. */
    List<JsonNode> json() {
      return events.stream()
          .filter(event -> !event.equals("[DONE]"))
          .map(TestClient::parse)
          .collect(Collectors.toList());
    }
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT);
  }

  HttpRequest.Builder postRequest(String path, String body) {
    return request(path)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  Reply post(String path, String body) throws IOException, InterruptedException {
    return send(postRequest(path, body));
  }

  Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.headers(), response.body());
  }

  CompletableFuture<Reply> postAsync(String path, String body) {
    return http.sendAsync(postRequest(path, body).build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Reply(r.statusCode(), r.headers(), r.body()));
  }

  /** Sends a streaming request and reads the whole SSE body. */
  Sse stream(String path, String body) throws IOException, InterruptedException {
    return readAll(open(path, body));
  }

  /**
   * Sends a streaming request over a plain socket and reads every byte until the worker closes the
   * connection. Unlike the JDK client, whose body stream may report a dropped connection before the
   * bytes that arrived ahead of it were read, this sees exactly what the worker sent before it
   * dropped the connection. The answer must be chunked, as the fake's streams are.
   */
  Sse streamOverSocket(String path, String body) throws IOException {
    URI uri = URI.create(baseUrl);
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      String head =
          "POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
              + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length
              + "\r\nConnection: close\r\n\r\n";
      java.io.OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
      IOException readFailure = null;
      try {
        socket.getInputStream().transferTo(received);
      } catch (IOException e) {
        readFailure = e; // a reset after the data: what arrived before it still counts
      }
      String text = received.toString(StandardCharsets.UTF_8);
      int headerEnd = text.indexOf("\r\n\r\n");
      if (headerEnd < 0) {
        throw new IOException("no complete response head in: " + text, readFailure);
      }
      String[] headLines = text.substring(0, headerEnd).split("\r\n");
      int status = Integer.parseInt(headLines[0].split(" ")[1]);
      String contentType = null;
      for (String line : headLines) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:")) {
          contentType = line.substring("content-type:".length()).trim();
        }
      }
      String bodyText = text.substring(headerEnd + 4);
      List<String> events = new ArrayList<>();
      for (String line : bodyText.split("\n")) {
        if (line.startsWith("data: ")) {
          events.add(line.substring("data: ".length()).stripTrailing());
        }
      }
      // A chunked body that ended cleanly closes with the zero-length last chunk.
      boolean complete = bodyText.endsWith("0\r\n\r\n");
      IOException failure =
          complete
              ? null
              : new IOException("the connection closed before the end of the body", readFailure);
      return new Sse(status, contentType, events, failure);
    }
  }

  CompletableFuture<Sse> streamAsync(String path, String body) {
    return http.sendAsync(
            postRequest(path, body).build(), HttpResponse.BodyHandlers.ofInputStream())
        .thenApply(TestClient::readAll);
  }

  /** Sends a streaming request and returns once the headers arrived, for reading step by step. */
  HttpResponse<InputStream> open(String path, String body)
      throws IOException, InterruptedException {
    return http.send(postRequest(path, body).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  static Sse readAll(HttpResponse<InputStream> response) {
    List<String> events = new ArrayList<>();
    IOException failure = null;
    try (EventReader reader = new EventReader(response.body())) {
      for (String event = reader.next(); event != null; event = reader.next()) {
        events.add(event);
      }
    } catch (IOException e) {
      failure = e;
    }
    return new Sse(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(null),
        events,
        failure);
  }

  /** Reads SSE {@code data:} payloads one at a time. */
  static final class EventReader implements AutoCloseable {
    private final BufferedReader reader;

    EventReader(InputStream body) {
      this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** Returns the next data payload, or null at the end of the body. */
    @Nullable String next() throws IOException {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("data: ")) {
          return line.substring("data: ".length());
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
