package io.flexroute.radix;

import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.WeightVersionSpan;
import io.flexroute.radix.InvalidCacheInputException.Problem;
import io.flexroute.radix.internal.TokenPieces;
import io.flexroute.spi.Tokenizer;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RolloutClient} implementation; see there for the steps of a turn.
 *
 * <p>Thread-safe. Each turn is a {@link Turn} driven by callbacks: no thread waits for the worker or
 * for the backoff. Not public API.
 */
final class DefaultRolloutClient implements RolloutClient {

  private static final Logger log = LoggerFactory.getLogger(DefaultRolloutClient.class);

  private final Router router;
  private final RadixTokenCache cache;
  private final Tokenizer tokenizer;
  private final int maxAttempts;
  private final Duration abortBackoff;
  private final Sleeper sleeper;
  private final Executor executor;
  private final @Nullable ExecutorService ownedExecutor;
  private final WeightVersionMapper versions;
  private final TokenPieces pieces;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger collectedUpTo = new AtomicInteger(RadixTokenCache.NO_VERSION);
  private final @Nullable AutoCloseable gcRegistration;

  DefaultRolloutClient(Builder b) {
    this.router = b.router;
    this.cache = b.cache;
    this.tokenizer = b.tokenizer;
    this.maxAttempts = b.maxAttempts;
    this.abortBackoff = b.abortBackoff;
    this.sleeper = b.sleeper;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      ExecutorService own = newExecutor();
      this.executor = own;
      this.ownedExecutor = own;
    }
    this.versions =
        b.weightVersionMapper != null ? b.weightVersionMapper : WeightVersionMapper.standard();
    this.pieces = new TokenPieces(b.tokenizer, Builder.PIECE_CACHE_SIZE);
    this.gcRegistration =
        b.gcOnWeightVersionBump
            ? router.fleet().addWeightVersionListener(this::versionBumped)
            : null;
  }

  /**
   * A worker's known weight version changed: collects the cache once per newer version (mapped by
   * the client's mapper), keeping the cache's last k versions.
   */
  private void versionBumped(WorkerView worker, @Nullable String previous, String current) {
    int v;
    try {
      v = mapVersion(current);
    } catch (RuntimeException e) {
      log.warn("cannot map weight version of worker {} for cache GC; skipping it", worker.id(), e);
      return;
    }
    int before = collectedUpTo.getAndAccumulate(v, Math::max);
    if (v > before && !closed.get()) {
      long removed = cache.gcByWeightVersion(v);
      log.info(
          "weight version {} (worker {}): cache GC removed {} tokens", v, worker.id(), removed);
    }
  }

  private static ExecutorService newExecutor() {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "flexroute-rollout-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  @Override
  public RolloutResult rollout(RolloutRequest request) {
    CompletableFuture<RolloutResult> future = rolloutAsync(request);
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("(rollout turn)");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new RouterException("the rollout turn failed", cause);
    }
  }

  @Override
  public CompletableFuture<RolloutResult> rolloutAsync(RolloutRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed.get()) {
      return CompletableFuture.failedFuture(closedException());
    }
    Turn turn = new Turn(request);
    try {
      executor.execute(turn::start);
    } catch (RejectedExecutionException e) {
      turn.result.completeExceptionally(closed.get() ? closedException() : e);
    }
    return turn.result;
  }

  @Override
  public WeightVersionMapper weightVersionMapper() {
    return versions;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    AutoCloseable registration = gcRegistration;
    if (registration != null) {
      try {
        registration.close();
      } catch (Exception e) {
        log.debug("removing the weight-version listener failed", e);
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  @Override
  public String toString() {
    return "RolloutClient{tokenizer=" + tokenizer.name() + ", maxAttempts=" + maxAttempts
        + ", abortBackoff=" + abortBackoff + ", closed=" + closed.get() + "}";
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("the rollout client is closed");
  }

  int mapVersion(@Nullable String workerVersion) {
    if (workerVersion == null) {
      return RadixTokenCache.NO_VERSION;
    }
    int v = versions.toInt(workerVersion);
    if (v < 0) {
      throw new IllegalArgumentException(
          "weightVersionMapper must return a version >= 0, but returned " + v
              + " for the worker's version '" + workerVersion + "'");
    }
    return v;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** One turn: prompt, attempts, then the result and the inserts. */
  private final class Turn {
    final RolloutRequest request;
    final CompletableFuture<RolloutResult> result = new CompletableFuture<>();
    volatile @Nullable CompletableFuture<?> pending;

    String promptText = "";
    int[] promptIds = new int[0];
    float[] promptLogprobs = new float[0];
    int[] promptMask = new int[0];
    int[] promptVersions = new int[0];
    int cachedTokens;
    int tokenizedTokens;
    @Nullable GenerateRequest generate;

    Turn(RolloutRequest request) {
      this.request = request;
      result.whenComplete(
          (r, e) -> {
            if (e instanceof CancellationException) {
              CompletableFuture<?> p = pending;
              if (p != null) {
                p.cancel(true);
              }
            }
          });
    }

    void start() {
      if (result.isDone()) {
        return;
      }
      try {
        promptText = request.text();
        PrefixMatch match = cache.lookup(promptText);
        String remaining = match.remainingText();
        int[] fresh = remaining.isEmpty() ? new int[0] : tokenizer.encode(remaining);
        if (fresh == null) {
          throw new IllegalStateException(
              "tokenizer '" + tokenizer.name() + "' returned null for the prompt's uncached rest");
        }
        if (fresh.length == 0 && !remaining.isEmpty() && match.tokenCount() > 0) {
          // Sending only the cached tokens would drop this text without a trace, and caching the
          // turn would tie it to tokens that do not spell it.
          throw new IllegalArgumentException(
              "the prompt's uncached rest (" + remaining.length() + " chars after "
                  + match.tokenCount() + " cached tokens) encodes to no tokens with tokenizer '"
                  + tokenizer.name() + "'");
        }
        cachedTokens = match.tokenCount();
        tokenizedTokens = fresh.length;
        int cached = cachedTokens;
        int promptLength = cached + fresh.length;
        // One copy out of the cache, straight into the prompt arrays.
        promptIds = new int[promptLength];
        match.copyTokenIds(promptIds, 0);
        System.arraycopy(fresh, 0, promptIds, cached, fresh.length);
        if (promptIds.length == 0) {
          throw new IllegalArgumentException(
              "the prompt text (" + promptText.length() + " chars) encodes to no tokens with"
                  + " tokenizer '" + tokenizer.name() + "'");
        }
        promptLogprobs = new float[promptLength];
        match.copyLogprobs(promptLogprobs, 0);
        promptMask = new int[promptLength];
        match.copyLossMask(promptMask, 0);
        promptVersions = new int[promptLength];
        match.copyWeightVersions(promptVersions, 0);
        Arrays.fill(promptVersions, cached, promptLength, RadixTokenCache.NO_VERSION);
        generate =
            GenerateRequest.builder()
                .inputIds(TokenIds.of(promptIds))
                .sampling(request.sampling())
                .returnLogprob(true)
                .routingKey(request.sessionId())
                .model(request.model())
                .timeout(request.timeout())
                .minWeightVersion(request.minWeightVersion())
                .build();
        attempt(1);
      } catch (Throwable e) {
        fail(e);
      }
    }

    void attempt(int n) {
      if (result.isDone()) {
        return;
      }
      CompletableFuture<GenerateResult> call =
          router.generateAsync(Objects.requireNonNull(generate));
      pending = call;
      if (result.isCancelled()) {
        call.cancel(true);
        return;
      }
      call.whenComplete((r, e) -> guarded(() -> onAnswer(n, r, e)));
    }

    /**
     * Ends the turn with what one of its steps threw, also an Error (a tokenizer's native
     * library): the caller must hear of it, not wait. The JVM's own errors still propagate.
     */
    void fail(Throwable e) {
      result.completeExceptionally(e);
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
    }

    /**
     * Runs a step of the turn from a future's callback, where an exception would otherwise be
     * lost and leave the turn, and a caller blocked on it, waiting forever.
     */
    void guarded(Runnable step) {
      try {
        step.run();
      } catch (Throwable e) {
        fail(e);
      }
    }

    void onAnswer(int n, @Nullable GenerateResult r, @Nullable Throwable e) {
      if (e != null) {
        result.completeExceptionally(unwrap(e));
        return;
      }
      GenerateResult answer = Objects.requireNonNull(r);
      if (answer.finishReason().isAbort()) {
        if (n >= maxAttempts) {
          log.warn(
              "rollout turn given up: worker {} aborted the generation on all {} attempts",
              answer.workerId(), n);
          result.completeExceptionally(
              new RolloutAbortedException(n, answer.workerId(), answer.finishReason().message()));
          return;
        }
        log.debug(
            "worker {} aborted the generation (attempt {} of {}); retrying in {}",
            answer.workerId(), n, maxAttempts, abortBackoff);
        CompletableFuture<Void> wait = sleeper.sleep(abortBackoff);
        pending = wait;
        wait.whenComplete(
            (v, se) -> {
              if (se != null) {
                result.completeExceptionally(unwrap(se));
              } else {
                guarded(() -> attempt(n + 1));
              }
            });
        return;
      }
      try {
        executor.execute(() -> finish(answer, n));
      } catch (RejectedExecutionException ex) {
        finish(answer, n);
      }
    }

    void finish(GenerateResult answer, int attempts) {
      if (result.isDone()) {
        return;
      }
      guarded(() -> result.complete(record(answer, attempts)));
    }

    RolloutResult record(GenerateResult answer, int attempts) {
      int[] out = answer.outputIds().toArray();
      TokenLogprobs lps = answer.outputLogprobs();
      if (lps.size() != out.length) {
        throw new RouterException(
            "worker '" + answer.workerId() + "' returned " + lps.size() + " logprobs for "
                + out.length + " output tokens; rollouts need return_logprob support");
      }
      float[] outLogprobs = new float[out.length];
      for (int i = 0; i < out.length; i++) {
        outLogprobs[i] = (float) lps.get(i);
      }
      // Spans first, in their order: a mapper numbers new labels as it first sees them, and the
      // answer's label is the last span's.
      int[] outVersions = spanVersions(answer);
      int version = mapVersion(answer.weightVersion());
      if (answer.weightVersionSpans().isEmpty()) {
        Arrays.fill(outVersions, version);
      }
      TokenPieces.Decoded decoded = pieces.decode(out);
      String outputText = decoded.text();
      int[] outMask = new int[out.length];
      Arrays.fill(outMask, 1);

      int[] ids = concat(promptIds, out);
      float[] logprobs = concat(promptLogprobs, outLogprobs);
      int[] mask = concat(promptMask, outMask);
      int[] tokenVersions = concat(promptVersions, outVersions);

      int[] promptEnds = pieces.align(promptText, promptIds);
      int[] outEnds = decoded.ends();
      int[] ends = null;
      if (promptEnds != null && outEnds != null) {
        int shift = promptText.length();
        int[] shifted = new int[outEnds.length];
        for (int i = 0; i < outEnds.length; i++) {
          shifted[i] = outEnds[i] + shift;
        }
        ends = concat(promptEnds, shifted);
      }
      // Each insert requires what it extends to be cached still: if GC or eviction removed the
      // looked-up prefix meanwhile, inserting would cache its tokens again under one version (the
      // prompt's none, or this answer's), relabelling tokens older weights produced. The turn is
      // then not cached; its result below is exact either way.
      Inserted prompt = insert(promptText, promptIds, promptLogprobs, promptMask, promptEnds,
          RadixTokenCache.NO_VERSION, tokenizedTokens > 0, cachedTokens);
      boolean boundaries = prompt == Inserted.WITH_BOUNDARIES;
      if (prompt != Inserted.SKIPPED && out.length > 0 && !outputText.isEmpty()) {
        boundaries = insertOutput(outputText, outEnds, ids, logprobs, mask, ends, outVersions)
            && boundaries;
      }
      if (log.isDebugEnabled()) {
        log.debug(
            "rollout turn on worker {}: {} cached tokens, {} tokenised, {} generated, version {},"
                + " attempts {}",
            answer.workerId(), cachedTokens, tokenizedTokens, out.length, version, attempts);
      }
      return new RolloutResult(
          promptText,
          outputText,
          answer.text(),
          ids,
          logprobs,
          mask,
          tokenVersions,
          promptIds.length,
          cachedTokens,
          version,
          answer.weightVersion(),
          answer.workerId(),
          answer.requestId(),
          answer.finishReason(),
          attempts,
          boundaries);
    }

    /**
     * Inserts the turn's output after its prompt, as one entry per run of output tokens that one
     * weight version generated, so that every cached token keeps its own version (a generation
     * that ran across a weight update has two or more). A run can only end where the output text
     * can be cut at a token boundary: without boundaries (or at a token that adds no text), the
     * runs on both sides go into one entry under the older version (no version if one has none),
     * which marks the newer tokens older than they are but never the reverse. The turn's result
     * carries the exact versions either way.
     *
     * @return whether the entries kept their token boundaries
     */
    boolean insertOutput(
        String outputText,
        int @Nullable [] outEnds,
        int[] ids,
        float[] logprobs,
        int[] mask,
        int @Nullable [] ends,
        int[] outVersions) {
      int promptLength = promptIds.length;
      List<int[]> runs = runs(outVersions, outEnds); // {end, version}
      boolean boundaries = true;
      int cached = promptLength;
      for (int[] run : runs) {
        int runEnd = run[0];
        int tokens = promptLength + runEnd;
        boolean last = runEnd == outVersions.length;
        // The last run (usually the only one) inserts the turn's arrays as they are: the entry
        // copies them anyway. An earlier run takes their first tokens.
        Inserted inserted =
            last
                ? insert(promptText + outputText, ids, logprobs, mask, ends, run[1], true, cached)
                : insert(
                    promptText + outputText.substring(0, outEnds[runEnd - 1]),
                    Arrays.copyOf(ids, tokens),
                    Arrays.copyOf(logprobs, tokens),
                    Arrays.copyOf(mask, tokens),
                    ends == null ? null : Arrays.copyOf(ends, tokens),
                    run[1],
                    true,
                    cached);
        if (inserted == Inserted.SKIPPED) {
          return false;
        }
        boundaries &= inserted == Inserted.WITH_BOUNDARIES;
        cached = tokens;
      }
      return boundaries;
    }

    /**
     * The runs of output tokens to insert, {@code {end, version}} each in order: the runs of equal
     * versions, joined (under the older version) across every boundary the text cannot be cut at.
     */
    private List<int[]> runs(int[] outVersions, int @Nullable [] outEnds) {
      List<int[]> runs = new ArrayList<>(2);
      int joined = 0;
      for (int i = 1; i <= outVersions.length; i++) {
        if (i < outVersions.length && outVersions[i] == outVersions[i - 1]) {
          continue;
        }
        int version = outVersions[i - 1];
        int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last != null && !cuttable(outEnds, last[0])) {
          last[0] = i;
          last[1] = Math.min(last[1], version); // NO_VERSION (-1) is the oldest of all
          joined++;
        } else {
          runs.add(new int[] {i, version});
        }
      }
      if (joined > 0) {
        log.debug("caching a rollout turn's output in {} runs of weight versions instead of {}:"
            + " the output text has no token boundary at {} of their ends", runs.size(),
            runs.size() + joined, joined);
      }
      return runs;
    }

    /** Whether the output text can be cut after output token {@code cut - 1}. */
    private static boolean cuttable(int @Nullable [] outEnds, int cut) {
      return outEnds != null && outEnds[cut - 1] > 0 && outEnds[cut] > outEnds[cut - 1];
    }

    /**
     * The cache version of every output token that a weight version span covers, mapped in the
     * spans' order; {@link RadixTokenCache#NO_VERSION} elsewhere (all tokens without spans).
     */
    int[] spanVersions(GenerateResult answer) {
      int[] versions = new int[answer.outputIds().size()];
      Arrays.fill(versions, RadixTokenCache.NO_VERSION);
      for (WeightVersionSpan span : answer.weightVersionSpans()) {
        Arrays.fill(versions, span.start(), span.end(), mapVersion(span.version()));
      }
      return versions;
    }

    /**
     * Inserts an entry if its first {@code requiredTokens} tokens are still cached, without
     * boundaries if the cache refuses them.
     */
    Inserted insert(
        String text,
        int[] ids,
        float[] logprobs,
        int[] mask,
        int @Nullable [] ends,
        int version,
        boolean wanted,
        int requiredTokens) {
      if (!wanted) {
        return ends != null ? Inserted.WITH_BOUNDARIES : Inserted.WITHOUT_BOUNDARIES;
      }
      int added;
      boolean withEnds = ends != null;
      CacheEntry.Builder entry =
          CacheEntry.builder(text, ids).logprobs(logprobs).lossMask(mask).weightVersion(version);
      try {
        added = cache.insertIfPrefixCached(entry.tokenEnds(ends).build(), requiredTokens);
      } catch (InvalidCacheInputException e) {
        if (ends == null || e.problem() != Problem.BAD_TOKEN_ENDS) {
          throw e;
        }
        withEnds = false;
        added = cache.insertIfPrefixCached(entry.tokenEnds(null).build(), requiredTokens);
      }
      if (added < 0) {
        log.debug(
            "not caching a rollout turn: the cache no longer holds the {} tokens it extends (GC or"
                + " eviction since its lookup), or cannot match them where the new text starts (a"
                + " token that adds no text at the boundary)", requiredTokens);
        return Inserted.SKIPPED;
      }
      return withEnds ? Inserted.WITH_BOUNDARIES : Inserted.WITHOUT_BOUNDARIES;
    }
  }

  /** What inserting one of a turn's entries did. */
  private enum Inserted {
    WITH_BOUNDARIES,
    WITHOUT_BOUNDARIES,
    /** Not inserted: the prefix it extends is no longer cached. */
    SKIPPED
  }
}
