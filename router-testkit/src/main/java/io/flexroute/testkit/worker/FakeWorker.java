package io.flexroute.testkit.worker;

import io.flexroute.testkit.ToyTokenizer;
import io.flexroute.testkit.worker.internal.WorkerRuntime;
import io.flexroute.testkit.worker.internal.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A fake inference worker: a real HTTP server on {@code 127.0.0.1} that answers like an SGLang
 * server, so tests, demos and benchmarks need no GPU and no external process.
 *
 * <pre>{@code
 * try (FakeWorker worker = FakeWorker.builder().model("fake-model").start()) {
 *   String base = worker.baseUrl();             // "http://127.0.0.1:PORT"
 *   worker.enqueue(Fault.status(503, "{}"));    // the next generation request fails
 *   ... send requests to base ...
 *   assertThat(worker.requests()).hasSize(2);
 * }
 * }</pre>
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /generate}: SGLang native generation, plain or SSE with cumulative chunks.
 *   <li>{@code POST /v1/chat/completions}, {@code POST /v1/completions}: OpenAI shapes, plain or
 *       SSE with delta chunks, the {@code include_usage} chunk and {@code data: [DONE]}.
 *   <li>{@code GET /health}, {@code GET /health_generate}: 200, or 503 after
 *       {@link #setHealthy(boolean) setHealthy(false)}.
 *   <li>{@code GET /v1/models}, {@code GET /get_model_info}, {@code GET /model_info},
 *       {@code GET /get_load}, {@code GET /v1/loads}.
 *   <li>{@code POST /abort_request}, {@code /flush_cache}, {@code POST /tokenize}, {@code POST
 *       /detokenize} (also under {@code /v1/}).
 *   <li>The RL control endpoints: {@code POST /update_weights_from_disk}, {@code POST
 *       /init_weights_update_group}, {@code POST /update_weights_from_distributed} (the worker
 *       must have joined the group; no tensors move), {@code POST /update_weight_version}, {@code
 *       POST /pause_generation} and {@code POST /continue_generation}, {@code GET
 *       /get_server_info} and {@code /server_info}, {@code GET /get_weight_version}.
 * </ul>
 *
 * Any other path answers 404. Batch and {@code n > 1} generation requests are rejected with 400.
 *
 * <h2>Output</h2>
 *
 * Prompts are tokenized with a {@link ToyTokenizer}. The answer is a sequence of words from a fixed
 * vocabulary, drawn from a generator seeded by the prompt's token ids and the request's seed
 * ({@code sampling_params.sampling_seed} or OpenAI {@code seed}); the same request always gets the
 * same answer, and a smaller token limit gets a prefix of it. Each prompt has a natural answer
 * length between 8 and 128 tokens: a limit below it ends with finish reason {@code length},
 * otherwise the answer ends with the end-of-sequence token ({@code stop}, matched
 * {@link ToyTokenizer#EOS_TOKEN_ID}) unless the request sets {@code ignore_eos}. Logprobs are
 * deterministic and lie in (-5, 0].
 *
 * <h2>Prefix cache</h2>
 *
 * {@code cached_tokens} is the longest token prefix the prompt shares with a recent earlier
 * request's prompt plus output (up to {@linkplain Builder#prefixCacheCapacity(int) capacity}
 * requests), capped at the prompt length minus one, as SGLang always computes the last prompt
 * token. {@code /flush_cache} and weight updates empty it.
 *
 * <h2>Weight updates and pauses</h2>
 *
 * A weight update takes the new {@code weight_version}, empties the prefix cache and, with {@code
 * abort_all_requests}, aborts the running generations. A generation held by a pause goes on with
 * the new weights once generation continues; with {@link Builder#weightVersionSpans(boolean)} its
 * answer reports which tokens each version produced ({@code meta_info.weight_versions}), as newer
 * SGLang builds do. {@link #holdWeightUpdates()} keeps update
 * calls waiting until {@link #releaseWeightUpdates()}; {@link #failNextWeightUpdates(int, String)}
 * answers the next ones with SGLang's 400 {@code success: false}, leaving weights and version as
 * they were. While generation is paused new generation requests wait before their first token; the
 * {@code abort} mode aborts the running ones, {@code retract} and {@code in_place} hold them
 * between tokens.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * Requests run on a cached pool of daemon threads, so hundreds of concurrent streams work, and the
 * server's own dispatcher thread is a daemon too, so a forgotten worker never keeps a JVM alive. All
 * methods are thread-safe. {@link #close()} stops the server, ends stalled and delayed requests by
 * dropping their connections, and waits for every server thread to finish.
 *
 * <h2>Latency</h2>
 *
 * The JDK HTTP server leaves Nagle's algorithm on unless the system property
 * {@code sun.net.httpserver.nodelay} is true when it first loads its configuration; responses
 * would then wait about 40 ms each for delayed ACKs. The first worker in a JVM therefore sets that
 * property to {@code true} unless it is already set. If another {@code HttpServer} was started
 * earlier in the same JVM, set the property yourself (for example with
 * {@code -Dsun.net.httpserver.nodelay=true}) to keep the worker's latencies meaningful.
 */
public final class FakeWorker implements AutoCloseable {

  private final WorkerRuntime runtime;
  private final String model;
  private final ToyTokenizer tokenizer;

  private FakeWorker(WorkerRuntime runtime, String model, ToyTokenizer tokenizer) {
    this.runtime = runtime;
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /**
   * Returns a builder with the defaults described on each setter.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the base URL to send requests to.
   *
   * @return {@code "http://127.0.0.1:PORT"}, without a trailing slash
   */
  public String baseUrl() {
    return "http://127.0.0.1:" + runtime.port();
  }

  /**
   * Returns the port the worker listens on.
   *
   * @return the TCP port on {@code 127.0.0.1}
   */
  public int port() {
    return runtime.port();
  }

  /**
   * Returns the served model name.
   *
   * @return the name reported by {@code /v1/models} and in OpenAI responses
   */
  public String model() {
    return model;
  }

  /**
   * Returns the tokenizer the worker uses for prompts and answers.
   *
   * @return the tokenizer; share it to predict token ids or decode answers
   */
  public ToyTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Returns the current weight version.
   *
   * @return the version reported in {@code meta_info.weight_version} and {@code /model_info}
   */
  public String weightVersion() {
    return runtime.weightVersion();
  }

  /**
   * Sets the weight version, as {@code /update_weight_version} does.
   *
   * @param weightVersion the new version
   */
  public void setWeightVersion(String weightVersion) {
    runtime.setWeightVersion(Objects.requireNonNull(weightVersion, "weightVersion"));
  }

  /**
   * Returns the current model path, as {@code /update_weights_from_disk} last set it.
   *
   * @return the {@code model_path} reported by {@code /model_info}
   */
  public String modelPath() {
    return runtime.modelPath();
  }

  /**
   * Tells whether generation is paused.
   *
   * @return true between {@code /pause_generation} and {@code /continue_generation}
   */
  public boolean isPaused() {
    return runtime.paused();
  }

  /**
   * Holds every weight-update call ({@code /update_weights_from_disk}, {@code
   * /update_weights_from_distributed}) from now on until {@link #releaseWeightUpdates()}, as a
   * slow load would. Calls arrive and are recorded; they answer once released.
   */
  public void holdWeightUpdates() {
    runtime.holdWeightUpdates();
  }

  /** Lets held weight-update calls, and later ones, go on. */
  public void releaseWeightUpdates() {
    runtime.releaseWeightUpdates();
  }

  /**
   * Fails the next weight-update calls with SGLang's answer to a failed load: 400 {@code
   * {"success": false, "message": "Failed to update weights: <message>..."}}; weights and version
   * stay as they were.
   *
   * @param times how many calls fail, at least 1
   * @param message what went wrong
   * @throws IllegalArgumentException if {@code times} is less than 1
   */
  public void failNextWeightUpdates(int times, String message) {
    Objects.requireNonNull(message, "message");
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1, but was " + times);
    }
    runtime.failNextWeightUpdates(times, message);
  }

  /**
   * Returns the weight-update group the worker joined through {@code /init_weights_update_group}.
   *
   * @return the group name, or null if it joined none
   */
  public @Nullable String weightUpdateGroup() {
    return runtime.weightUpdateGroup();
  }

  /**
   * Sets whether the health endpoints answer 200 (healthy) or 503. Generation endpoints keep
   * answering either way; use a fault to make them fail.
   *
   * @param healthy the new health state; a new worker is healthy
   */
  public void setHealthy(boolean healthy) {
    runtime.setHealthy(healthy);
  }

  /**
   * Tells whether the health endpoints answer 200.
   *
   * @return the health state
   */
  public boolean isHealthy() {
    return runtime.healthy();
  }

  /**
   * Fixes the {@code token_usage} that the load endpoints report.
   *
   * @param tokenUsage the KV-cache usage ratio, in [0, 1]
   * @throws IllegalArgumentException if the value is outside [0, 1]
   */
  public void setTokenUsage(double tokenUsage) {
    if (!(tokenUsage >= 0 && tokenUsage <= 1)) {
      throw new IllegalArgumentException("tokenUsage must be in [0, 1], but was " + tokenUsage);
    }
    runtime.setTokenUsage(tokenUsage);
  }

  /**
   * Makes the load endpoints estimate {@code token_usage} again (the default): the prompt and
   * generated tokens of the in-flight requests divided by the builder's
   * {@linkplain Builder#maxTotalTokens(int) KV capacity}.
   */
  public void useEstimatedTokenUsage() {
    runtime.setTokenUsage(Double.NaN);
  }

  /**
   * Queues a fault for the next request it matches.
   *
   * @param fault the fault
   */
  public void enqueue(Fault fault) {
    enqueue(fault, 1);
  }

  /**
   * Queues a fault for the next {@code times} requests it matches.
   *
   * @param fault the fault
   * @param times how many requests it applies to, at least 1
   * @throws IllegalArgumentException if {@code times} is less than 1
   */
  public void enqueue(Fault fault, int times) {
    Objects.requireNonNull(fault, "fault");
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1, but was " + times);
    }
    runtime.enqueue(fault, times);
  }

  /**
   * Returns how many queued faults have not been used yet.
   *
   * @return the number of pending queued faults
   */
  public int pendingFaults() {
    return runtime.pendingFaults();
  }

  /**
   * Sets the policy consulted for requests that no queued fault matches.
   *
   * @param policy the policy, or {@code null} to remove it
   */
  public void setFaultPolicy(@Nullable FaultPolicy policy) {
    runtime.setFaultPolicy(policy);
  }

  /**
   * Applies a fault to a random share of the requests it matches, from now on; shorthand for
   * {@code setFaultPolicy(FaultPolicy.random(fault, probability, seed))}.
   *
   * @param fault the fault
   * @param probability the share of matching requests to fail, in [0, 1]
   * @param seed the random seed
   * @throws IllegalArgumentException if the probability is outside [0, 1]
   */
  public void setFaultRate(Fault fault, double probability, long seed) {
    setFaultPolicy(FaultPolicy.random(fault, probability, seed));
  }

  /** Drops every queued fault and removes the fault policy. */
  public void clearFaults() {
    runtime.clearFaults();
  }

  /**
   * Ends, by dropping its connection, every request that is stalled by a fault, including
   * requests already received that reach their stall only after this call.
   */
  public void releaseStalls() {
    runtime.releaseStalls();
  }

  /**
   * Returns the recorded requests, oldest first.
   *
   * @return a snapshot of the most recent requests, up to the builder's
   *     {@linkplain Builder#requestLogCapacity(int) log capacity}
   */
  public List<RecordedRequest> requests() {
    return runtime.requests();
  }

  /**
   * Returns the recorded requests to one path, oldest first.
   *
   * @param path the exact path, such as {@code "/generate"}
   * @return a snapshot of the matching recorded requests
   */
  public List<RecordedRequest> requests(String path) {
    return runtime.requests().stream()
        .filter(request -> request.path().equals(path))
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * Returns how many requests the worker has received, including those no longer in the log.
   *
   * @return the total request count
   */
  public long requestCount() {
    return runtime.requestCount();
  }

  /**
   * Returns how many generation requests are in flight on the server side, including those held
   * by a delay or stall fault.
   *
   * @return the number of running generation requests
   */
  public int activeRequests() {
    return runtime.activeRequests();
  }

  /**
   * Returns how many output tokens the running generation requests have produced so far (a
   * finished request no longer counts).
   *
   * @return the token count
   */
  public long generatedTokens() {
    return runtime.generatedTokens();
  }

  /**
   * Waits until at least {@code count} generation requests are in flight.
   *
   * @param count the number to wait for
   * @param timeout the longest time to wait
   * @return true if the count was reached, false on timeout
   * @throws InterruptedException if the calling thread is interrupted
   */
  public boolean awaitActiveRequests(int count, Duration timeout) throws InterruptedException {
    return runtime.awaitActiveRequests(count, timeout);
  }

  /**
   * Waits until no generation request is in flight. A request stops counting just before the last
   * byte of its response is sent, so a client holding a complete response never sees it active.
   *
   * @param timeout the longest time to wait
   * @return true if the worker became idle, false on timeout
   * @throws InterruptedException if the calling thread is interrupted
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return runtime.awaitIdle(timeout);
  }

  /**
   * Waits until the worker has received at least {@code count} requests in total.
   *
   * @param count the number to wait for
   * @param timeout the longest time to wait
   * @return true if the count was reached, false on timeout
   * @throws InterruptedException if the calling thread is interrupted
   */
  public boolean awaitRequestCount(long count, Duration timeout) throws InterruptedException {
    return runtime.awaitRequestCount(count, timeout);
  }

  /**
   * Waits until the recorded requests (see {@link #requests(String)}) include at least {@code
   * count} to {@code path}.
   *
   * @param path the exact path, such as {@code "/update_weights_from_disk"}
   * @param count the number to wait for
   * @param timeout the longest time to wait
   * @return true if the count was reached, false on timeout
   * @throws InterruptedException if the calling thread is interrupted
   */
  public boolean awaitRequests(String path, int count, Duration timeout)
      throws InterruptedException {
    return runtime.awaitRequests(Objects.requireNonNull(path, "path"), count, timeout);
  }

  /**
   * Returns the request ids received by {@code /abort_request}, in arrival order.
   *
   * @return a snapshot of the non-empty {@code rid} values received (an {@code abort_all} call
   *     without a rid adds nothing)
   */
  public List<String> abortedRequestIds() {
    return runtime.abortedRequestIds();
  }

  /**
   * Stops the server, drops the connections of running requests and waits (up to ten seconds)
   * for the server threads to end. Calling it again has no effect.
   */
  @Override
  public void close() {
    runtime.close();
  }

  @Override
  public String toString() {
    return "FakeWorker{" + baseUrl() + ", model=" + model + "}";
  }

  /**
   * Configures and starts a {@link FakeWorker}.
   *
   * <p>Not thread-safe; use one builder from one thread. A builder may start several workers.
   */
  public static final class Builder {

    private String model = "fake-model";
    private @Nullable String modelPath;
    private String weightVersion = "default";
    private Duration ttft = Duration.ZERO;
    private Duration interTokenDelay = Duration.ZERO;
    private int defaultMaxTokens = -1;
    private int maxModelLen = 4096;
    private int maxTotalTokens = 500_000;
    private int maxRunningRequests = 256;
    private @Nullable String apiKey;
    private boolean strictModelName;
    private boolean incrementalStreamOutput;
    private Duration stallLimit = Duration.ofSeconds(60);
    private int requestLogCapacity = 10_000;
    private int prefixCacheCapacity = 1_000;
    private boolean weightVersionSpans;
    private int port;
    private @Nullable ToyTokenizer tokenizer;

    private Builder() {}

    /**
     * Sets the served model name. Default {@code "fake-model"}.
     *
     * @param model the name reported by {@code /v1/models} and in OpenAI responses
     * @return this builder
     */
    public Builder model(String model) {
      this.model = requireText(model, "model");
      return this;
    }

    /**
     * Sets the {@code model_path} reported by {@code /model_info}. Default: the model name.
     *
     * @param modelPath the model path
     * @return this builder
     */
    public Builder modelPath(String modelPath) {
      this.modelPath = requireText(modelPath, "modelPath");
      return this;
    }

    /**
     * Sets the initial weight version. Default {@code "default"}, as SGLang's.
     *
     * @param weightVersion the version
     * @return this builder
     */
    public Builder weightVersion(String weightVersion) {
      this.weightVersion = requireText(weightVersion, "weightVersion");
      return this;
    }

    /**
     * Sets the time to first token: the wait between a request's arrival and its first token.
     * Streams get their SSE headers at once, as from SGLang. Default 0.
     *
     * @param ttft the delay, not negative
     * @return this builder
     * @throws IllegalArgumentException if the delay is negative
     */
    public Builder ttft(Duration ttft) {
      this.ttft = requireNotNegative(ttft, "ttft");
      return this;
    }

    /**
     * Sets the wait between consecutive tokens, for streamed and plain answers alike. Default 0.
     *
     * @param interTokenDelay the delay, not negative
     * @return this builder
     * @throws IllegalArgumentException if the delay is negative
     */
    public Builder interTokenDelay(Duration interTokenDelay) {
      this.interTokenDelay = requireNotNegative(interTokenDelay, "interTokenDelay");
      return this;
    }

    /**
     * Sets the token limit used when a request gives none, on every endpoint. By default each
     * endpoint keeps SGLang's: 128 for {@code /generate} and chat completions, 16 for
     * {@code /v1/completions}.
     *
     * @param defaultMaxTokens the limit, at least 0
     * @return this builder
     * @throws IllegalArgumentException if the limit is negative
     */
    public Builder defaultMaxTokens(int defaultMaxTokens) {
      this.defaultMaxTokens = requireAtLeast(defaultMaxTokens, 0, "defaultMaxTokens");
      return this;
    }

    /**
     * Sets the context length. Prompts of this many tokens or more are rejected with 400, and
     * answers are cut so that prompt plus answer fit. Default 4096.
     *
     * @param maxModelLen the context length in tokens, at least 2
     * @return this builder
     * @throws IllegalArgumentException if the length is below 2
     */
    public Builder maxModelLen(int maxModelLen) {
      this.maxModelLen = requireAtLeast(maxModelLen, 2, "maxModelLen");
      return this;
    }

    /**
     * Sets the KV-cache capacity in tokens that the load endpoints report and estimate
     * {@code token_usage} against. Default 500,000.
     *
     * @param maxTotalTokens the capacity, at least 1
     * @return this builder
     * @throws IllegalArgumentException if the capacity is below 1
     */
    public Builder maxTotalTokens(int maxTotalTokens) {
      this.maxTotalTokens = requireAtLeast(maxTotalTokens, 1, "maxTotalTokens");
      return this;
    }

    /**
     * Sets the {@code max_running_requests} that {@code /v1/loads} reports. It is not enforced.
     * Default 256.
     *
     * @param maxRunningRequests the value to report, at least 1
     * @return this builder
     * @throws IllegalArgumentException if the value is below 1
     */
    public Builder maxRunningRequests(int maxRunningRequests) {
      this.maxRunningRequests = requireAtLeast(maxRunningRequests, 1, "maxRunningRequests");
      return this;
    }

    /**
     * Requires {@code Authorization: Bearer <apiKey>} on every endpoint, as SGLang's
     * {@code --api-key} does; other requests get 401 {@code {"error":"Unauthorized"}}. Default:
     * no key.
     *
     * @param apiKey the key
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = requireText(apiKey, "apiKey");
      return this;
    }

    /**
     * Makes OpenAI requests naming another model fail with 404, as vLLM does. Default false:
     * the {@code model} field is ignored, as SGLang does.
     *
     * @param strictModelName whether to reject unknown model names
     * @return this builder
     */
    public Builder strictModelName(boolean strictModelName) {
      this.strictModelName = strictModelName;
      return this;
    }

    /**
     * Makes {@code /generate} streams send deltas instead of cumulative chunks, as SGLang's
     * {@code --incremental-streaming-output}. Default false (cumulative).
     *
     * @param incremental whether chunks carry only the new text, ids and logprobs
     * @return this builder
     */
    public Builder incrementalStreamOutput(boolean incremental) {
      this.incrementalStreamOutput = incremental;
      return this;
    }

    /**
     * Makes {@code /generate} answers and stream chunks report {@code meta_info.weight_versions},
     * the version that produced each run of output tokens ({@code [{"version", "start", "end"}]}),
     * as newer SGLang builds do. Default false, as SGLang v0.5 (only {@code weight_version}).
     *
     * @param spans whether to report the spans
     * @return this builder
     */
    public Builder weightVersionSpans(boolean spans) {
      this.weightVersionSpans = spans;
      return this;
    }

    /**
     * Sets how long a stall fault holds a request before dropping its connection. Default 60 s.
     *
     * @param stallLimit the limit, positive
     * @return this builder
     * @throws IllegalArgumentException if the limit is not positive
     */
    public Builder stallLimit(Duration stallLimit) {
      if (stallLimit.isNegative() || stallLimit.isZero()) {
        throw new IllegalArgumentException("stallLimit must be positive, but was " + stallLimit);
      }
      this.stallLimit = stallLimit;
      return this;
    }

    /**
     * Sets how many recent requests {@link FakeWorker#requests()} keeps. Default 10,000.
     *
     * @param capacity the number of requests, at least 1
     * @return this builder
     * @throws IllegalArgumentException if the capacity is below 1
     */
    public Builder requestLogCapacity(int capacity) {
      this.requestLogCapacity = requireAtLeast(capacity, 1, "requestLogCapacity");
      return this;
    }

    /**
     * Sets how many recent requests the fake prefix cache remembers. Default 1,000.
     *
     * @param capacity the number of requests, at least 0 (0 disables the cache)
     * @return this builder
     * @throws IllegalArgumentException if the capacity is negative
     */
    public Builder prefixCacheCapacity(int capacity) {
      this.prefixCacheCapacity = requireAtLeast(capacity, 0, "prefixCacheCapacity");
      return this;
    }

    /**
     * Sets the port to listen on. Default 0: an ephemeral port.
     *
     * @param port the port, 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in [0, 65535], but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the tokenizer, to share one id table between several workers and the test. Default:
     * a new {@link ToyTokenizer} per worker.
     *
     * @param tokenizer the tokenizer
     * @return this builder
     */
    public Builder tokenizer(ToyTokenizer tokenizer) {
      this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
      return this;
    }

    /**
     * Starts a worker with this configuration.
     *
     * @return the running worker; close it when done
     * @throws UncheckedIOException if the server cannot bind its port
     */
    public FakeWorker start() {
      ToyTokenizer workerTokenizer = tokenizer == null ? new ToyTokenizer() : tokenizer;
      WorkerSettings settings =
          new WorkerSettings(
              model,
              modelPath == null ? model : modelPath,
              weightVersion,
              ttft,
              interTokenDelay,
              defaultMaxTokens,
              maxModelLen,
              maxTotalTokens,
              maxRunningRequests,
              apiKey,
              strictModelName,
              incrementalStreamOutput,
              stallLimit,
              requestLogCapacity,
              prefixCacheCapacity,
              weightVersionSpans);
      try {
        return new FakeWorker(WorkerRuntime.start(settings, workerTokenizer, port), model,
            workerTokenizer);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the fake worker on port " + port, e);
      }
    }

    private static String requireText(String value, String name) {
      if (value.isEmpty()) {
        throw new IllegalArgumentException(name + " must not be empty");
      }
      return value;
    }

    private static Duration requireNotNegative(Duration value, String name) {
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, but was " + value);
      }
      return value;
    }

    private static int requireAtLeast(int value, int minimum, String name) {
      if (value < minimum) {
        throw new IllegalArgumentException(
            name + " must be at least " + minimum + ", but was " + value);
      }
      return value;
    }
  }
}
