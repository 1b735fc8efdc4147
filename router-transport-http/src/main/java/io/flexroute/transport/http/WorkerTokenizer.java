package io.flexroute.transport.http;

import io.flexroute.ApiFlavor;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.Tokenizer;
import io.flexroute.transport.http.internal.Failures;
import io.flexroute.transport.http.internal.JsonCodec;
import io.flexroute.transport.http.internal.JsonShapeException;
import io.flexroute.transport.http.internal.TokenizeCodec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Tokenizer} that asks a worker: {@code POST /tokenize} to encode and {@code POST
 * /detokenize} to decode, so the ids are exactly the ones the worker's own tokenizer produces, with
 * no tokenizer file on the client.
 *
 * <pre>{@code
 * Worker worker = Worker.builder("w1", "http://10.0.0.5:30000").build();
 * try (WorkerTokenizer tokenizer = WorkerTokenizer.builder(worker)
 *     .okHttpClient(transport.okHttpClient())   // optional: share the transport's pool
 *     .build()) {
 *   int[] ids = tokenizer.encode("Hello");
 * }
 * }</pre>
 *
 * <h2>Protocol</h2>
 *
 * <ul>
 *   <li>Encode: {@code {"prompt": text, "add_special_tokens": false}} (plus {@code "model"} when
 *       set); the answer's {@code tokens}. SGLang and vLLM answer alike.
 *   <li>Decode, SGLang workers: {@code {"tokens": [...], "skip_special_tokens": false}}; the
 *       answer's {@code text}. Special tokens stay in the text, so text and ids describe each other.
 *       {@link #decodeEach(int[])} sends one batch ({@code "tokens": [[id], [id], ...]}, up to
 *       {@value #MAX_BATCH} per call) and reads the {@code text} list.
 *   <li>Decode, other workers (vLLM): {@code {"tokens": [...]}}; the answer's {@code prompt} (or
 *       {@code text}). vLLM has no batch form, so {@code decodeEach} sends one call per token.
 * </ul>
 *
 * Empty text and empty id arrays are answered locally, without a call. Every call sends the
 * worker's API key as a bearer token and the worker's headers.
 *
 * <h2>Errors</h2>
 *
 * A non-2xx answer throws {@link WorkerException} ({@code HTTP_STATUS}, with the status and the
 * worker's message), a connection failure or the call timeout throws {@code WorkerException}
 * ({@code CONNECTION}), and an answer of the wrong shape throws {@code WorkerException} ({@code
 * MALFORMED_RESPONSE}). Messages never contain the text or the key.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * Thread-safe; calls block the calling thread for one HTTP round trip each (cache the results, as
 * the rollout client does for single tokens, where that matters). With a client given to {@link
 * Builder#okHttpClient(OkHttpClient)} the tokenizer uses it as it is and {@link #close()} leaves it
 * alone; otherwise it creates one, and {@code close()} evicts its idle connections. Calls after
 * {@code close()} fail with {@link IllegalStateException}.
 */
public final class WorkerTokenizer implements Tokenizer, AutoCloseable {

  /** The default time one tokenize or detokenize call may take: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The most tokens {@link #decodeEach(int[])} sends in one SGLang batch call. */
  public static final int MAX_BATCH = 4096;

  private static final MediaType JSON = MediaType.get("application/json");

  private final Worker worker;
  private final String name;
  private final OkHttpClient client;
  private final boolean ownsClient;
  private final Duration timeout;
  private final boolean sglang;
  private final Failures failures;
  private final TokenizeCodec codec;
  private final HttpUrl tokenizeUrl;
  private final HttpUrl detokenizeUrl;
  private final Headers headers;
  private final AtomicBoolean closed = new AtomicBoolean();

  private WorkerTokenizer(Builder b) {
    this.worker = b.worker;
    this.name = b.name != null ? b.name : "worker:" + b.worker.id();
    if (b.client != null) {
      this.client = b.client;
      this.ownsClient = false;
    } else {
      // No read or write timeout of its own (OkHttp's default is 10 s): the call timeout, this
      // tokenizer's timeout(...), bounds every call.
      this.client =
          new OkHttpClient.Builder()
              .readTimeout(Duration.ZERO)
              .writeTimeout(Duration.ZERO)
              .followRedirects(false)
              .followSslRedirects(false)
              .build();
      this.ownsClient = true;
    }
    this.timeout = b.timeout;
    this.sglang = b.worker.flavor() == ApiFlavor.SGLANG;
    JsonCodec json = JsonCodec.createDefault();
    this.failures = new Failures(json);
    this.codec = new TokenizeCodec(json, b.model);
    this.tokenizeUrl = url(b.worker, "/tokenize");
    this.detokenizeUrl = url(b.worker, "/detokenize");
    this.headers = headers(b.worker);
  }

  /**
   * Starts a builder for a worker; its base URL, API key, headers and {@linkplain Worker#flavor()
   * flavor} are used.
   *
   * @param worker the worker whose tokenizer to use
   * @return a new builder
   */
  public static Builder builder(Worker worker) {
    return new Builder(worker);
  }

  /**
   * A tokenizer for a worker with the default settings and a client of its own.
   *
   * @param worker the worker whose tokenizer to use
   * @return the tokenizer
   * @throws RouterException if the worker's API key or a header cannot be sent over HTTP
   */
  public static WorkerTokenizer of(Worker worker) {
    return builder(worker).build();
  }

  /**
   * Encodes text with the worker's {@code /tokenize}, without special tokens.
   *
   * @throws WorkerException if the call fails or the answer is unreadable
   * @throws IllegalStateException if the tokenizer is closed
   */
  @Override
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    checkOpen();
    if (text.isEmpty()) {
      return new int[0];
    }
    byte[] answer = post(tokenizeUrl, codec.tokenizeBody(text));
    try {
      return codec.readTokens(answer);
    } catch (JsonShapeException e) {
      throw failures.malformed(worker, e.getMessage(), e);
    }
  }

  /**
   * Decodes ids with the worker's {@code /detokenize}, keeping special tokens where the worker
   * allows it.
   *
   * @throws WorkerException if the call fails or the answer is unreadable
   * @throws IllegalStateException if the tokenizer is closed
   */
  @Override
  public String decode(int[] tokenIds) {
    Objects.requireNonNull(tokenIds, "tokenIds");
    checkOpen();
    if (tokenIds.length == 0) {
      return "";
    }
    byte[] answer = post(detokenizeUrl, codec.detokenizeBody(tokenIds, sglang));
    try {
      return codec.readText(answer);
    } catch (JsonShapeException e) {
      throw failures.malformed(worker, e.getMessage(), e);
    }
  }

  /**
   * Decodes every token on its own: one batch call per {@value #MAX_BATCH} tokens on SGLang
   * workers, one call per token on others.
   *
   * @throws WorkerException if a call fails or an answer is unreadable
   * @throws IllegalStateException if the tokenizer is closed
   */
  @Override
  public List<String> decodeEach(int[] tokenIds) {
    Objects.requireNonNull(tokenIds, "tokenIds");
    checkOpen();
    if (!sglang) {
      return Tokenizer.super.decodeEach(tokenIds);
    }
    List<String> out = new ArrayList<>(tokenIds.length);
    for (int from = 0; from < tokenIds.length; from += MAX_BATCH) {
      int to = Math.min(tokenIds.length, from + MAX_BATCH);
      byte[] answer = post(detokenizeUrl, codec.detokenizeEachBody(tokenIds, from, to));
      try {
        out.addAll(codec.readTexts(answer, to - from));
      } catch (JsonShapeException e) {
        throw failures.malformed(worker, e.getMessage(), e);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Returns the builder's name, by default {@code "worker:"} followed by the worker's id.
   *
   * @return the name
   */
  @Override
  public String name() {
    return name;
  }

  /**
   * The worker this tokenizer asks.
   *
   * @return the worker
   */
  public Worker worker() {
    return worker;
  }

  /**
   * Evicts the idle connections of the client this tokenizer created; does nothing to a client
   * given to the builder. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownsClient) {
      client.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "WorkerTokenizer{" + name + ", worker=" + worker.id() + "}";
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tokenizer '" + name + "' is closed");
    }
  }

  private byte[] post(HttpUrl url, byte[] body) {
    Request request =
        new Request.Builder().url(url).headers(headers).post(RequestBody.create(body, JSON)).build();
    Call call = client.newCall(request);
    call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    try (Response response = call.execute()) {
      if (!response.isSuccessful()) {
        throw failures.httpStatus(worker, response);
      }
      return response.body().bytes();
    } catch (IOException e) {
      boolean timedOut =
          e instanceof InterruptedIOException && !Thread.currentThread().isInterrupted();
      String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new WorkerException(
          worker.id(),
          WorkerException.Kind.CONNECTION,
          0,
          url.encodedPath() + (timedOut ? " timed out: " : " failed: ") + detail,
          null,
          e);
    }
  }

  private static HttpUrl url(Worker worker, String path) {
    HttpUrl url = HttpUrl.parse(worker.baseUrl() + path);
    if (url == null) {
      throw new IllegalArgumentException(
          "baseUrl of worker '" + worker.id() + "' is not an http or https URL");
    }
    return url;
  }

  private static Headers headers(Worker worker) {
    Headers.Builder h = new Headers.Builder();
    h.set("Accept", "application/json");
    // The key first, so that an Authorization header of the worker's wins, as on the transport's
    // calls.
    String apiKey = worker.apiKey();
    if (apiKey != null) {
      for (int i = 0; i < apiKey.length(); i++) {
        char c = apiKey.charAt(i);
        if ((c < 0x20 && c != '\t') || c >= 0x7f) {
          // Never show the key: OkHttp's own message would.
          throw new RouterException(
              "apiKey of worker '" + worker.id()
                  + "' contains a character that is not allowed in an HTTP header");
        }
      }
      h.set("Authorization", "Bearer " + apiKey);
    }
    for (Map.Entry<String, String> e : worker.headers().entrySet()) {
      try {
        h.removeAll(e.getKey());
        h.addUnsafeNonAscii(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new RouterException(
            "header '" + e.getKey() + "' for worker '" + worker.id()
                + "' is not a valid HTTP header");
      }
    }
    return h.build();
  }

  /**
   * Builds a {@link WorkerTokenizer}. Not thread-safe; each setter checks its argument at once and
   * names the setting in the {@link IllegalArgumentException}.
   */
  public static final class Builder {
    private final Worker worker;
    private @Nullable OkHttpClient client;
    private Duration timeout = DEFAULT_TIMEOUT;
    private @Nullable String model;
    private @Nullable String name;

    private Builder(Worker worker) {
      this.worker = Objects.requireNonNull(worker, "worker");
    }

    /**
     * Uses a client the caller owns, such as {@link HttpTransport#okHttpClient()}, so the
     * tokenizer shares its connection pool; {@link WorkerTokenizer#close()} never shuts it down.
     * Default: a client of the tokenizer's own.
     *
     * @param client the client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.client = Objects.requireNonNull(client, "okHttpClient");
      return this;
    }

    /**
     * Sets the time one call may take, from sending to the last byte of the answer. Default
     * {@link #DEFAULT_TIMEOUT}.
     *
     * @param timeout a positive duration of at most 3650 days
     * @return this builder
     * @throws IllegalArgumentException if not positive, or longer than 3650 days
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
      }
      if (timeout.compareTo(Duration.ofDays(3650)) > 0) {
        throw new IllegalArgumentException("timeout must be at most 3650 days, but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the {@code model} field sent with every call, for servers that serve several models.
     * Default: none.
     *
     * @param model the model name, or null for none
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder model(@Nullable String model) {
      if (model != null && model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return this;
    }

    /**
     * Sets the tokenizer's {@linkplain Tokenizer#name() name}. Default {@code "worker:<id>"}.
     *
     * @param name the name, not blank
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Builds the tokenizer.
     *
     * @return the tokenizer
     * @throws IllegalArgumentException if the worker's base URL is not an http or https URL
     * @throws RouterException if the worker's API key or a header cannot be sent over HTTP
     */
    public WorkerTokenizer build() {
      return new WorkerTokenizer(this);
    }
  }
}
