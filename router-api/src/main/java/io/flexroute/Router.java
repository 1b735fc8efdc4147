package io.flexroute;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Routes LLM inference requests from inside the calling process straight to workers (SGLang, vLLM,
 * OpenAI-compatible servers).
 *
 * <pre>{@code
 * try (Router router = Router.builder()
 *     .worker("w1", "http://10.0.0.5:30000")
 *     .worker("w2", "http://10.0.0.6:30000")
 *     .strategy("least_inflight")
 *     .build()) {
 *   ChatCompletion answer = router.chat(ChatRequest.builder()
 *       .message(ChatMessage.user("Hello"))
 *       .maxTokens(32)
 *       .build());
 *   System.out.println(answer.content());
 * }
 * }</pre>
 *
 * <h2>Calls</h2>
 *
 * Each operation comes four ways: blocking ({@link #chat}), asynchronous ({@link #chatAsync}),
 * blocking stream ({@link #chatStream}) and reactive stream ({@link #chatPublisher}). Blocking
 * methods throw {@link RouterException} subtypes unwrapped; futures complete exceptionally with the
 * same types. Cancelling a returned future cancels the request on the worker.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * A router is thread-safe and meant to be shared: create one per application and close it when done.
 * {@link #close()} refuses new requests, cancels the ones still running, and releases the threads and
 * connections the router created (never those the caller passed in).
 */
public interface Router extends AutoCloseable {

  /**
   * Starts configuring a router.
   *
   * @return a new builder
   */
  static RouterBuilder builder() {
    return new RouterBuilder();
  }

  /**
   * Runs an SGLang-native generation and waits for its result.
   *
   * @param request the request
   * @return the result
   * @throws RouterException if the request could not be completed; see the subtypes
   */
  GenerateResult generate(GenerateRequest request);

  /**
   * Runs an SGLang-native generation asynchronously.
   *
   * @param request the request
   * @return a future of the result; cancelling it cancels the request
   */
  CompletableFuture<GenerateResult> generateAsync(GenerateRequest request);

  /**
   * Streams an SGLang-native generation; blocks until the worker accepted the stream.
   *
   * @param request the request
   * @return the stream of deltas; close it
   * @throws RouterException if the stream could not be opened
   */
  ResponseStream<GenerateChunk> generateStream(GenerateRequest request);

  /**
   * Streams an SGLang-native generation to a subscriber with backpressure. Each subscription sends
   * its own request; cancelling the subscription cancels it.
   *
   * @param request the request
   * @return a cold publisher of deltas
   */
  Flow.Publisher<GenerateChunk> generatePublisher(GenerateRequest request);

  /**
   * Runs an OpenAI chat completion and waits for its result.
   *
   * @param request the request
   * @return the result
   * @throws RouterException if the request could not be completed; see the subtypes
   */
  ChatCompletion chat(ChatRequest request);

  /**
   * Runs an OpenAI chat completion asynchronously.
   *
   * @param request the request
   * @return a future of the result; cancelling it cancels the request
   */
  CompletableFuture<ChatCompletion> chatAsync(ChatRequest request);

  /**
   * Streams an OpenAI chat completion; blocks until the worker accepted the stream.
   *
   * @param request the request
   * @return the stream of chunks; close it
   * @throws RouterException if the stream could not be opened
   */
  ResponseStream<ChatChunk> chatStream(ChatRequest request);

  /**
   * Streams an OpenAI chat completion to a subscriber with backpressure.
   *
   * @param request the request
   * @return a cold publisher of chunks
   */
  Flow.Publisher<ChatChunk> chatPublisher(ChatRequest request);

  /**
   * Runs an OpenAI text completion and waits for its result.
   *
   * @param request the request
   * @return the result
   * @throws RouterException if the request could not be completed; see the subtypes
   */
  TextCompletion complete(CompletionRequest request);

  /**
   * Runs an OpenAI text completion asynchronously.
   *
   * @param request the request
   * @return a future of the result; cancelling it cancels the request
   */
  CompletableFuture<TextCompletion> completeAsync(CompletionRequest request);

  /**
   * Streams an OpenAI text completion; blocks until the worker accepted the stream.
   *
   * @param request the request
   * @return the stream of chunks; close it
   * @throws RouterException if the stream could not be opened
   */
  ResponseStream<CompletionChunk> completeStream(CompletionRequest request);

  /**
   * Streams an OpenAI text completion to a subscriber with backpressure.
   *
   * @param request the request
   * @return a cold publisher of chunks
   */
  Flow.Publisher<CompletionChunk> completePublisher(CompletionRequest request);

  /**
   * The router's workers, changeable at run time.
   *
   * @return the registry
   */
  WorkerRegistry workers();

  /**
   * The control plane for RL training: weight updates, cache flushes, pausing and continuing
   * generation and weight-version reads, broadcast to the workers with a result per worker, and
   * the weight version the router knows for each worker.
   *
   * @return the fleet; the same instance for the router's whole life
   */
  io.flexroute.fleet.Fleet fleet();

  /**
   * Probes a worker's health through its transport and records the result in the registry. The
   * probe has the health-check policy's path and timeout (its defaults when health checks are
   * off).
   *
   * @param workerId the worker to probe
   * @return a future of the state recorded: {@link HealthState#HEALTHY} or {@link
   *     HealthState#UNHEALTHY} (a draining worker stays draining)
   * @throws IllegalArgumentException if no worker has that id
   */
  CompletableFuture<HealthState> checkHealth(String workerId);

  /**
   * The name of the routing strategy in use.
   *
   * @return the name
   */
  String strategyName();

  /**
   * Whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  boolean isClosed();

  /**
   * Closes the router: new requests are refused with {@link RouterClosedException}, running ones are
   * cancelled, and the threads and connections the router created are released. Idempotent.
   */
  @Override
  void close();
}
