package io.flexroute.radix;

import io.flexroute.RequestCancelledException;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.spi.Tokenizer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs the turns of multi-turn RL rollouts through a {@link Router} and a {@link RadixTokenCache},
 * so that every turn re-uses the exact tokens the model produced in earlier turns and training gets
 * the token ids, logprobs, loss mask and weight version of every token.
 *
 * <pre>{@code
 * WeightVersionMapper versions = WeightVersionMapper.standard();
 * try (RolloutClient rollouts = RolloutClient.builder(router, cache, tokenizer)
 *     .weightVersionMapper(versions)
 *     .build()) {
 *   RolloutResult turn1 = rollouts.rollout(
 *       RolloutRequest.builder(systemPrompt + userMessage).sessionId("traj-1").build());
 *   String next = turn1.fullText() + toolResult;               // append the tool's answer as text
 *   RolloutResult turn2 = rollouts.rollout(
 *       RolloutRequest.builder(next).sessionId("traj-1").build());
 *   TrainingSample sample = turn2.trainingSample(firstPromptTokens);
 * }
 * }</pre>
 *
 * <h2>One turn</h2>
 *
 * <ol>
 *   <li>{@link RadixTokenCache#lookup(String)} finds the longest cached prefix of the text (whole
 *       tokens) and its tokens, logprobs, masks and versions.
 *   <li>Only the rest of the text is tokenised ({@link Tokenizer#encode(String)}); its tokens get
 *       logprob 0.0, mask 0 and version {@link RadixTokenCache#NO_VERSION}.
 *   <li>The prompt goes to an SGLang worker as input ids: {@code router.generateAsync(
 *       GenerateRequest.builder().inputIds(...).returnLogprob(true).routingKey(sessionId)...)}.
 *   <li>A generation the worker aborted ({@link io.flexroute.FinishReason.Type#ABORT}, as during a
 *       weight update) is sent again after {@link Builder#abortBackoff(Duration)}, up to {@link
 *       Builder#maxAttempts(int)} attempts in all; then the turn fails with {@link
 *       RolloutAbortedException}. Other failures ({@link RouterException} subtypes) end the turn at
 *       once, unchanged.
 *   <li>The output ids are decoded token by token ({@link Tokenizer#decodeEach(int[])}, tokens
 *       holding part of a character decoded together) to get the output text and where each
 *       token's text ends. The prompt's boundaries are found the same way. When the pieces do not
 *       spell the text the tokenizer gives for the whole sequence, the output text is that whole
 *       decoding and the turn is cached without boundaries (still matched whole, never split).
 *   <li>The cache gets the prompt (when part of it was tokenised now, without a version) and then
 *       the prompt plus the output, with the output's logprobs, mask 1 and the worker's weight
 *       version mapped by the {@link WeightVersionMapper}; when the worker reported weight version
 *       spans, one insert per run of output tokens with its own version (runs whose boundary the
 *       output text cannot be cut at go together, under the older version). The {@link
 *       RolloutResult} carries all of it.
 * </ol>
 *
 * <h2>Weight versions</h2>
 *
 * Every token of a {@link RolloutResult} carries the weight version that generated it, and {@link
 * TrainingSample} reports which trained tokens are older than a given version, so training can
 * drop or down-weight off-policy samples. {@link RolloutRequest.Builder#minWeightVersion(String)}
 * sends a turn only to workers that already run a version; {@link
 * Builder#gcOnWeightVersionBump(boolean)} collects the cache when the fleet moves to a new one.
 *
 * <h2>Routing</h2>
 *
 * The session id is the request's routing key. Configure the router with an affinity strategy
 * ({@code router-core}'s {@code "session_affinity"}) to keep a session on the worker that holds its
 * KV cache while that worker is healthy.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * Thread-safe: one client serves any number of concurrent sessions. {@link #rolloutAsync} does the
 * lookup and tokenisation, and later the decoding and inserts, on the builder's executor (by default
 * a cached pool of daemon threads the client owns), and waits for the worker without holding a
 * thread. {@link #close()} shuts down that pool if the client created it; the router, the cache and
 * the tokenizer stay the caller's. The client never logs prompts, outputs or session ids.
 *
 * @since 0.1.0
 */
public interface RolloutClient extends AutoCloseable {

  /**
   * Starts a builder.
   *
   * @param router the router that sends the generations (to SGLang workers)
   * @param cache the cache of rollout tokens
   * @param tokenizer the model's tokenizer, the one the workers use
   * @return a new builder
   */
  static Builder builder(Router router, RadixTokenCache cache, Tokenizer tokenizer) {
    return new Builder(router, cache, tokenizer);
  }

  /**
   * Runs one turn and waits for it.
   *
   * @param request the turn
   * @return the turn's tokens and their payload
   * @throws RolloutAbortedException if every attempt was aborted by the workers
   * @throws RouterException if the generation failed otherwise (see its subtypes); {@link
   *     RequestCancelledException} if the calling thread was interrupted
   * @throws IllegalArgumentException if the text encodes to no token, or the tokenizer rejects it
   * @throws IllegalStateException if the client is closed
   */
  RolloutResult rollout(RolloutRequest request);

  /**
   * Runs one turn asynchronously. The future completes exceptionally with the exceptions {@link
   * #rollout} throws; cancelling it cancels the running generation or the wait before a retry.
   *
   * @param request the turn
   * @return the future result
   */
  CompletableFuture<RolloutResult> rolloutAsync(RolloutRequest request);

  /**
   * Returns the mapper that turns workers' weight versions into the cache's integers; use it to
   * compute the version to pass to {@link RadixTokenCache#gcByWeightVersion(int)}.
   *
   * @return the mapper
   */
  WeightVersionMapper weightVersionMapper();

  /**
   * Refuses new turns and shuts down the executor the client created (running turns finish).
   * Idempotent.
   */
  @Override
  void close();

  /**
   * Waits without blocking a thread: the rollout client's way to pause before retrying an aborted
   * generation. Tests pass one that completes at once and records the pauses.
   *
   * @since 0.1.0
   */
  @FunctionalInterface
  interface Sleeper {

    /**
     * Returns a future completed after the duration. Must not block.
     *
     * @param duration how long to wait
     * @return the future
     */
    CompletableFuture<Void> sleep(Duration duration);

    /**
     * The real clock: the future completes after the duration on the JDK's shared delay thread.
     *
     * @return the sleeper
     */
    static Sleeper system() {
      return duration ->
          new CompletableFuture<Void>()
              .completeOnTimeout(null, duration.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Builds a {@link RolloutClient}.
   *
   * <p>Not thread-safe. Each setter validates its argument and throws {@link
   * IllegalArgumentException} naming the setting and the value.
   *
   * @since 0.1.0
   */
  final class Builder {

    /** Default number of generation attempts per turn, slime's: 5. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** Default pause before sending an aborted generation again, slime's: 30 seconds. */
    public static final Duration DEFAULT_ABORT_BACKOFF = Duration.ofSeconds(30);

    /** How many single-token and group pieces the client remembers, each. */
    static final int PIECE_CACHE_SIZE = 1 << 18;

    final Router router;
    final RadixTokenCache cache;
    final Tokenizer tokenizer;
    int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    Duration abortBackoff = DEFAULT_ABORT_BACKOFF;
    Sleeper sleeper = Sleeper.system();
    @Nullable Executor executor;
    @Nullable WeightVersionMapper weightVersionMapper;
    boolean gcOnWeightVersionBump;

    Builder(Router router, RadixTokenCache cache, Tokenizer tokenizer) {
      this.router = Objects.requireNonNull(router, "router");
      this.cache = Objects.requireNonNull(cache, "cache");
      this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /**
     * Sets how many generation attempts a turn gets in all, the first included, when the workers
     * abort them. Default {@link #DEFAULT_MAX_ATTEMPTS}.
     *
     * @param maxAttempts at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, but was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the pause before sending an aborted generation again (the same before every retry).
     * Default {@link #DEFAULT_ABORT_BACKOFF}.
     *
     * @param backoff zero or positive
     * @return this builder
     * @throws IllegalArgumentException if negative or longer than 3650 days
     */
    public Builder abortBackoff(Duration backoff) {
      Objects.requireNonNull(backoff, "abortBackoff");
      if (backoff.isNegative() || backoff.compareTo(Duration.ofDays(3650)) > 0) {
        // Longer would overflow the sleeper's nanosecond arithmetic deep inside a turn.
        throw new IllegalArgumentException(
            "abortBackoff must be between 0 and 3650 days, but was " + backoff);
      }
      this.abortBackoff = backoff;
      return this;
    }

    /**
     * Sets how the client waits before a retry. Default {@link Sleeper#system()}.
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets the executor for lookups, tokenisation, decoding and inserts; the client never shuts it
     * down. Default: a cached pool of daemon threads the client creates and {@link
     * RolloutClient#close()} shuts down. {@code Runnable::run} runs that work on the calling thread
     * and on the router's completion threads.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the mapping of workers' weight versions to the cache's integers. Default: a new {@link
     * WeightVersionMapper#standard()}.
     *
     * @param mapper the mapper
     * @return this builder
     */
    public Builder weightVersionMapper(WeightVersionMapper mapper) {
      this.weightVersionMapper = Objects.requireNonNull(mapper, "weightVersionMapper");
      return this;
    }

    /**
     * Collects the cache whenever the router learns that a worker runs a newer weight version
     * (through {@link Router#fleet()}'s {@link io.flexroute.fleet.WeightVersionListener}: a weight
     * update, a version read, or a version reported in an answer): {@link
     * RadixTokenCache#gcByWeightVersion(int)} with the version mapped by the {@link
     * #weightVersionMapper(WeightVersionMapper) mapper}, once per newer version, which keeps the
     * cache's last {@link RadixTokenCache.Builder#keepVersions(int) k} versions. The GC runs on
     * the thread that reported the change: for a fleet weight update, before the update's result
     * is delivered. {@link RolloutClient#close()} stops it. Default false: collect by hand.
     *
     * @param enabled whether a version bump collects the cache
     * @return this builder
     */
    public Builder gcOnWeightVersionBump(boolean enabled) {
      this.gcOnWeightVersionBump = enabled;
      return this;
    }

    /**
     * Builds the client.
     *
     * @return the client; close it when done
     */
    public RolloutClient build() {
      return new DefaultRolloutClient(this);
    }
  }
}
