package io.flexroute.testkit.sim.internal;

import io.flexroute.GenerateRequest;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.sim.Conversation;
import io.flexroute.testkit.sim.EngineProfile;
import io.flexroute.testkit.sim.FleetConfig;
import io.flexroute.testkit.sim.PromptForm;
import io.flexroute.testkit.sim.ReplayConfig;
import io.flexroute.testkit.sim.ReplayResult;
import io.flexroute.testkit.sim.TokenText;
import io.flexroute.testkit.sim.Trace;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One replay of a trace through a strategy on a simulated fleet: the conversations, the router
 * model, the engines, load polling, in-flight sampling and the measurements.
 *
 * <p>Not thread-safe; {@link #run()} runs the whole simulation on the calling thread, once.
 */
public final class ReplayRun implements Engine.Listener {

  /** Virtual time after which a run is abandoned as runaway: 30 days. */
  private static final long LIMIT_NANOS = Duration.ofDays(30).toNanos();

  /** What an engine request carries back to the replay. */
  private record Pending(int conversation, int turn, SimRouter.Attempt attempt) {}

  private final Trace trace;
  private final ReplayConfig config;
  private final List<Conversation> conversations;
  private final EventLoop loop = new EventLoop();
  private final long epoch = System.nanoTime();
  private final LongSupplier clock = () -> epoch + loop.now();
  private final List<WorkerView> candidates;
  private final SimWorkerView[] views;
  private final Engine[] engines;
  private final RoutingStrategy strategy;
  private final SimRouter router;
  private final ArrayDeque<Integer> waitingToStart = new ArrayDeque<>();
  private int active;
  private int unfinished;
  private long requestCounter;
  private boolean ran;

  private long requests;
  private long promptTokens;
  private long cachedTokens;
  private long outputTokens;
  private long[] ttfts = new long[1024];
  private int ttftCount;
  private long lastCompletion;
  private double sumMaxInFlight;
  private double sumMeanInFlight;
  private long samples;

  /**
   * Prepares a replay.
   *
   * @param trace the conversations
   * @param config the settings
   * @param factory creates the strategy on the virtual clock
   * @throws IllegalArgumentException if a conversation cannot fit in a worker's KV cache
   */
  public ReplayRun(
      Trace trace,
      ReplayConfig config,
      Function<? super LongSupplier, ? extends RoutingStrategy> factory) {
    this.trace = Objects.requireNonNull(trace, "trace");
    this.config = Objects.requireNonNull(config, "config");
    this.conversations = trace.conversations();
    FleetConfig fleet = config.fleet();
    EngineProfile profile = fleet.engine();
    long usable =
        (long)
                (profile.kvBlocks()
                    - (int) Math.ceil(profile.admissionWatermark() * profile.kvBlocks()))
            * profile.blockTokens();
    if (trace.longestConversation() > usable) {
      throw new IllegalArgumentException(
          "trace "
              + trace.name()
              + " has a conversation of "
              + trace.longestConversation()
              + " tokens, more than a worker's usable KV cache of "
              + usable
              + " tokens");
    }
    int n = fleet.workers();
    this.views = new SimWorkerView[n];
    this.engines = new Engine[n];
    for (int i = 0; i < n; i++) {
      Worker w =
          Worker.builder("sim-" + i, "http://sim-" + i + ".invalid:30000")
              .model(fleet.model())
              .build();
      views[i] = new SimWorkerView(w, i, this);
      engines[i] = new Engine(profile, loop, this);
    }
    this.candidates = List.of(views);
    this.strategy = Objects.requireNonNull(factory.apply(clock), "the factory returned null");
    this.router = new SimRouter(strategy, candidates, this, config.seed());
  }

  /**
   * Runs the replay to its end.
   *
   * @return the measurements
   * @throws IllegalStateException if called twice, or the simulation runs away
   */
  public ReplayResult run() {
    if (ran) {
      throw new IllegalStateException("a replay runs once");
    }
    ran = true;
    unfinished = conversations.size();
    // Loads are polled from the start, as the router's poller starts with the router.
    if (config.fleet().loadPollInterval() != null) {
      loop.at(0, this::poll);
    }
    loop.at(0, this::sample);
    for (int i = 0; i < conversations.size(); i++) {
      int c = i;
      loop.at(conversations.get(i).arrivalNanos(), () -> arrive(c));
    }
    loop.run(LIMIT_NANOS);
    return result();
  }

  private void arrive(int c) {
    int limit = config.maxConcurrentConversations();
    if (limit > 0 && active >= limit) {
      waitingToStart.addLast(c);
      return;
    }
    active++;
    if (!send(c, 0)) {
      endConversation();
    }
  }

  /**
   * Sends a turn.
   *
   * @return false when the router rejected it, which ends the conversation (the caller ends it,
   *     so that a run of rejections is a loop, not a recursion)
   */
  private boolean send(int c, int turn) {
    Conversation conv = conversations.get(c);
    int promptLength = conv.promptLength(turn);
    int[] sequence = conv.tokens(0, promptLength + conv.outputLength(turn));
    GenerateRequest.Builder b = GenerateRequest.builder();
    if (config.promptForm() == PromptForm.TOKEN_IDS) {
      b.inputIds(TokenIds.of(Arrays.copyOf(sequence, promptLength)));
    } else {
      b.text(TokenText.decode(sequence, 0, promptLength));
    }
    String id = requestId(++requestCounter);
    GenerateRequest request =
        b.requestId(id)
            .model(config.fleet().model())
            .routingKey(conv.routingKey())
            .sampling(SamplingParams.builder().maxNewTokens(conv.outputLength(turn)).build())
            .build();
    SimRequestView view = new SimRequestView(request, id, config.streaming());
    long now = loop.now();
    SimRouter.Attempt attempt = router.route(view, now);
    if (attempt == null) {
      return false;
    }
    engines[attempt.worker.index()].submit(
        new EngineRequest(sequence, promptLength, new Pending(c, turn, attempt)));
    return true;
  }

  /** A 32-hex-digit id, the shape of the router's. */
  private static String requestId(long n) {
    String hex = Long.toHexString(n);
    return "0".repeat(32 - hex.length()) + hex;
  }

  @Override
  public void firstToken(EngineRequest request, long nowNanos) {
    Pending p = (Pending) Objects.requireNonNull(request.attachment());
    router.firstChunk(p.attempt, nowNanos);
    if (ttftCount == ttfts.length) {
      ttfts = Arrays.copyOf(ttfts, ttfts.length * 2);
    }
    ttfts[ttftCount++] = nowNanos - p.attempt.startNanos;
  }

  @Override
  public void finished(EngineRequest request, long nowNanos) {
    Pending p = (Pending) Objects.requireNonNull(request.attachment());
    int cached = Math.max(0, request.cachedTokens());
    router.finish(
        p.attempt,
        nowNanos,
        new TokenUsage(request.promptLength(), request.outputLength(), cached));
    requests++;
    promptTokens += request.promptLength();
    cachedTokens += cached;
    outputTokens += request.outputLength();
    lastCompletion = nowNanos;
    Conversation conv = conversations.get(p.conversation);
    int next = p.turn + 1;
    if (next < conv.turns()) {
      int c = p.conversation;
      loop.after(
          conv.thinkNanos(next),
          () -> {
            if (!send(c, next)) {
              endConversation();
            }
          });
    } else {
      endConversation();
    }
  }

  /** Ends a conversation and starts waiting ones until one is accepted (or none waits). */
  private void endConversation() {
    active--;
    unfinished--;
    Integer next;
    while ((next = waitingToStart.pollFirst()) != null) {
      active++;
      if (send(next, 0)) {
        return;
      }
      active--;
      unfinished--;
    }
  }

  private void poll() {
    long stamp = clock.getAsLong();
    for (int i = 0; i < engines.length; i++) {
      Engine e = engines[i];
      views[i].report(new WorkerLoad(e.running(), e.waiting(), Math.min(1, e.kvUsage()), stamp));
    }
    Duration interval = config.fleet().loadPollInterval();
    if (unfinished > 0 && interval != null) {
      loop.after(interval.toNanos(), this::poll);
    }
  }

  private void sample() {
    int max = 0;
    long sum = 0;
    for (SimWorkerView v : views) {
      int f = v.inFlightRequests();
      max = Math.max(max, f);
      sum += f;
    }
    sumMaxInFlight += max;
    sumMeanInFlight += (double) sum / views.length;
    samples++;
    if (unfinished > 0) {
      loop.after(config.sampleInterval().toNanos(), this::sample);
    }
  }

  private ReplayResult result() {
    long[] sorted = Arrays.copyOf(ttfts, ttftCount);
    Arrays.sort(sorted);
    long sumTtft = 0;
    for (long t : sorted) {
      sumTtft += t;
    }
    long preemptions = 0;
    for (Engine e : engines) {
      preemptions += e.preemptions();
    }
    List<Long> perWorker = new ArrayList<>();
    for (long s : router.selections()) {
      perWorker.add(s);
    }
    return new ReplayResult(
        strategy.name(),
        trace.name(),
        views.length,
        conversations.size(),
        requests,
        router.rejections(),
        router.faults(),
        promptTokens,
        cachedTokens,
        outputTokens,
        preemptions,
        Duration.ofNanos(lastCompletion),
        Duration.ofNanos(sorted.length == 0 ? 0 : sumTtft / sorted.length),
        Duration.ofNanos(percentile(sorted, 0.50)),
        Duration.ofNanos(percentile(sorted, 0.99)),
        samples == 0 ? 0 : sumMeanInFlight / samples,
        sumMeanInFlight == 0 ? 1 : sumMaxInFlight / sumMeanInFlight,
        perWorker);
  }

  /** Nearest-rank percentile of sorted values; 0 when empty. */
  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
