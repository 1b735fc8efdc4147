package io.flexroute.testkit.sim.internal;

import io.flexroute.testkit.sim.EngineProfile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One simulated inference engine: continuous batching with chunked prefill over a {@link
 * KvBlockPool}, timed by the {@link EngineProfile}'s cost model on an {@link EventLoop}.
 *
 * <p>Each iteration: running requests that finished their prefill decode one token each, in
 * admission order while the iteration's token budget lasts (with the defaults, 8,192 tokens for at
 * most 256 requests, always all of them) (a request
 * that needs a KV block when none is left preempts the newest running request, possibly itself);
 * running requests still prefilling get chunks, oldest first; then waiting requests are admitted
 * first come, first served while fewer than {@code maxRunningRequests} run, the token budget lasts
 * and their blocks fit (keeping the admission watermark free while others run). The iteration's
 * duration comes from its composition; its tokens appear when it ends.
 *
 * <p>Not thread-safe; runs on its simulation's thread.
 */
public final class Engine {

  /** What the engine reports about its requests. Called on the simulation's thread. */
  public interface Listener {
    /**
     * The request produced its first output token.
     *
     * @param request the request
     * @param nowNanos the virtual time
     */
    void firstToken(EngineRequest request, long nowNanos);

    /**
     * The request produced its last output token and left the engine.
     *
     * @param request the request
     * @param nowNanos the virtual time
     */
    void finished(EngineRequest request, long nowNanos);
  }

  private final EngineProfile profile;
  private final EventLoop loop;
  private final Listener listener;
  private final KvBlockPool pool;
  private final int watermarkBlocks;
  private final ArrayDeque<EngineRequest> waiting = new ArrayDeque<>();
  private final ArrayList<EngineRequest> running = new ArrayList<>();
  private final ArrayList<EngineRequest> batch = new ArrayList<>();
  private boolean busy;
  private boolean startPending;
  private long iterations;
  private long busyNanos;
  private long preemptions;

  /**
   * Creates an idle engine with an empty cache.
   *
   * @param profile how it performs
   * @param loop the simulation's event loop
   * @param listener what it reports to
   */
  public Engine(EngineProfile profile, EventLoop loop, Listener listener) {
    this.profile = Objects.requireNonNull(profile, "profile");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.pool = new KvBlockPool(profile.kvBlocks(), profile.blockTokens());
    this.watermarkBlocks = (int) Math.ceil(profile.admissionWatermark() * profile.kvBlocks());
  }

  /**
   * Queues a request. The next iteration starts at the current virtual time, after every other
   * event due now, so requests submitted together are batched together.
   *
   * @param r the request, new
   * @throws IllegalArgumentException if its whole sequence cannot fit in the KV cache
   */
  public void submit(EngineRequest r) {
    if (r.sequence.length > (long) (pool.totalBlocks() - watermarkBlocks) * pool.blockTokens()) {
      throw new IllegalArgumentException(
          "a request of "
              + r.sequence.length
              + " tokens cannot fit in a KV cache of "
              + pool.totalBlocks() * pool.blockTokens()
              + " tokens, of which "
              + (long) (pool.totalBlocks() - watermarkBlocks) * pool.blockTokens()
              + " can hold one request (the rest is the admission watermark)");
    }
    r.submittedNanos = loop.now();
    waiting.addLast(r);
    scheduleStart();
  }

  /** @return requests admitted and not finished (prefilling or decoding) */
  public int running() {
    return running.size();
  }

  /** @return requests queued, not admitted */
  public int waiting() {
    return waiting.size();
  }

  /** @return the share of KV blocks in use by requests, from 0 to 1 */
  public double kvUsage() {
    return pool.usage();
  }

  /** @return the KV cache */
  public KvBlockPool pool() {
    return pool;
  }

  /** @return iterations run so far */
  public long iterations() {
    return iterations;
  }

  /** @return virtual time spent running iterations */
  public long busyNanos() {
    return busyNanos;
  }

  /** @return preemptions so far */
  public long preemptions() {
    return preemptions;
  }

  private void scheduleStart() {
    if (!busy && !startPending) {
      startPending = true;
      loop.after(0, this::startIteration);
    }
  }

  private void startIteration() {
    startPending = false;
    if (busy) {
      return;
    }
    batch.clear();
    int budget = profile.maxBatchedTokens();
    long tokens = 0;
    double pairs = 0;
    long kvRead = 0;
    for (int i = 0; i < running.size() && budget > 0; i++) {
      EngineRequest r = running.get(i);
      int n;
      if (r.prefilling()) {
        n = Math.min(r.prefillRemaining(), budget);
      } else {
        if (!makeRoomForNextToken(r)) {
          break; // r itself, the newest, was preempted
        }
        n = 1;
      }
      r.scheduledTokens = n;
      budget -= n;
      batch.add(r);
      tokens += n;
      pairs += pairs(r.computed, n);
      kvRead += r.computed + n;
    }
    while (budget > 0 && running.size() < profile.maxRunningRequests() && !waiting.isEmpty()) {
      EngineRequest r = waiting.peekFirst();
      if (!pool.admit(r, running.isEmpty() ? 0 : watermarkBlocks)) {
        break;
      }
      waiting.pollFirst();
      running.add(r);
      int n = Math.min(r.prefillRemaining(), budget);
      r.scheduledTokens = n;
      budget -= n;
      batch.add(r);
      tokens += n;
      pairs += pairs(r.computed, n);
      kvRead += r.computed + n;
    }
    if (batch.isEmpty()) {
      return;
    }
    long duration = profile.iterationNanos(tokens, pairs, kvRead, batch.size());
    busy = true;
    iterations++;
    busyNanos += duration;
    loop.after(duration, this::endIteration);
  }

  /** Attention pairs of computing {@code n} positions after {@code context} computed ones. */
  private static double pairs(int context, int n) {
    return (double) n * context + (double) n * (n + 1) / 2;
  }

  /**
   * Makes sure a decoding request has a block for its next token, preempting the newest running
   * requests while none is left.
   *
   * @return false if {@code r} itself was preempted
   */
  private boolean makeRoomForNextToken(EngineRequest r) {
    while (!pool.ensureNextToken(r)) {
      EngineRequest victim = running.remove(running.size() - 1);
      preempt(victim);
      if (victim == r) {
        return false;
      }
    }
    return true;
  }

  private void preempt(EngineRequest victim) {
    pool.release(victim);
    victim.preemptions++;
    preemptions++;
    waiting.addFirst(victim);
  }

  private void endIteration() {
    long now = loop.now();
    busy = false;
    List<EngineRequest> done = batch;
    for (int i = 0, n = done.size(); i < n; i++) {
      EngineRequest r = done.get(i);
      if (r.prefilling()) {
        pool.advance(r, r.scheduledTokens);
        if (r.computed == r.target && r.generated == 0) {
          r.generated = 1;
          r.firstTokenNanos = now;
          listener.firstToken(r, now);
          if (r.generated >= r.outputLength) {
            finish(r, now);
          }
        }
      } else {
        pool.advance(r, 1);
        r.generated++;
        if (r.generated >= r.outputLength) {
          finish(r, now);
        }
      }
    }
    done.clear();
    if (!running.isEmpty() || !waiting.isEmpty()) {
      scheduleStart();
    }
  }

  private void finish(EngineRequest r, long now) {
    running.remove(r);
    pool.release(r);
    r.finishedNanos = now;
    listener.finished(r, now);
  }
}
