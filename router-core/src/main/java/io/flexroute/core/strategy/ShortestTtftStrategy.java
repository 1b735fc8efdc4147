package io.flexroute.core.strategy;

import io.flexroute.Worker;
import io.flexroute.core.strategy.internal.IdentityKey;
import io.flexroute.core.strategy.internal.ListCache;
import io.flexroute.core.strategy.internal.PrefixForest;
import io.flexroute.core.strategy.internal.PrefixKey;
import io.flexroute.core.strategy.internal.PrefixTree;
import io.flexroute.core.strategy.internal.Selection;
import io.flexroute.spi.Choice;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerLoad;
import io.flexroute.spi.WorkerView;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Sends each request to the worker with the shortest estimated time to first token, as FlexLB
 * does, then spreads concurrent requests among the nearly-best workers.
 *
 * <h2>Rule</h2>
 *
 * <ol>
 *   <li>Only candidates whose in-flight requests are below the load bound, {@code ceil(loadFactor *
 *       (total + 1) / n)}, are estimated (all when none is): the estimate sees prefill work only,
 *       so without the bound the workers holding the most conversations keep collecting their
 *       decodes.
 *   <li>For each candidate: {@code ttft = queued + (prompt - 0.7 * cached) / prefillRate}, where
 *       {@code prompt} is the request's estimated prompt tokens, {@code cached} the tokens of the
 *       longest prefix the candidate was sent before (from an approximate prefix tree, as in {@link
 *       CacheAwareStrategy}; at most {@code prompt - 1}), and {@code queued} the time the
 *       candidate still needs for the prefills queued ahead of this one.
 *   <li>{@code queued} comes from a virtual prefill queue per worker: each request this strategy
 *       sends a worker extends the queue's end to {@code max(now, end) + (prompt - cached) /
 *       prefillRate}, and the queued time at {@code t} is {@code max(0, end - t)}. The queue holds
 *       the tokens the worker will compute; the discount on cached tokens is the choice's hedge
 *       against cache the worker may have evicted, and charged to the queue it would grow phantom
 *       work on exactly the workers that hold conversations. A request's
 *       prefill leaves the queue when it is estimated done, not when the request completes: a
 *       request that is decoding delays no one's first token by its prompt, so long decodes must
 *       not look like queued prefill (they did in the first version of this strategy, which spread
 *       conversations away from the workers holding their prefixes). A request that completes
 *       before its prefill is estimated done (an error, or a worker faster than its configured
 *       rate) takes its remaining time out of the queue.
 *   <li>When the worker's fresh {@linkplain WorkerView#reportedLoad() reported load} is known, it
 *       corrects the queue: {@code queued = waiting * meanPrefill + min(virtual queue, prefill
 *       sent since the report was first seen)}, where {@code waiting} is the requests the worker
 *       reports waiting for admission (its own queue, including requests from other routers) and
 *       {@code meanPrefill} the mean estimated prefill of the requests this strategy sent it. So
 *       a prefill rate set too low cannot build a phantom queue on a worker that reports none,
 *       and requests from other routers count.
 *   <li>The best {@code poolRatio} of the candidates (at least one) form the pool; those within the
 *       similarity band of the best ({@code max(best * similarityRatio, stddev(pool) / 2)}) are
 *       equally good.
 *   <li>Among those, the least recently selected worker is claimed with a compare-and-set on its
 *       selection stamp; the first claim that succeeds wins, so concurrent requests that saw the
 *       same estimates spread instead of herding. If every claim fails, the best estimate wins.
 *   <li>The request's prefill joins the chosen worker's queue, and its prompt is recorded in the
 *       prefix tree.
 * </ol>
 *
 * <h2>Cost and threading</h2>
 *
 * Thread-safe and lock-free apart from the prefix tree's short per-node locks. Up to {@code
 * exactScanLimit} candidates, every candidate is estimated, O(n) (the pool's bound is found by
 * selection, not by sorting); above it, {@code sampleSize} random candidates plus the holders of
 * the longest cached prefix are, so the cost does not grow with the fleet. Requests that never
 * complete (routed but never dispatched) leave the ledger after {@code ledgerTimeout}. The queue
 * drains on {@link ShortestTtftConfig#ticker()}, the router's clock by default; a simulation on a
 * virtual clock must pass that clock, or the queue drains in host time.
 */
public final class ShortestTtftStrategy implements RoutingStrategy {

  /** The name this strategy is selected by. */
  public static final String NAME = "shortest_ttft";

  /** Holders of the longest prefix added to the sample above the scan limit. */
  private static final int MAX_HOLDERS_SAMPLED = 8;

  /** Holders of a node up to which they are compared with the sampled workers one by one. */
  private static final int FEW_HOLDERS = 16;

  /** Selections between two sweeps of the ledger for requests that never completed. */
  private static final int SWEEP_INTERVAL = 4096;

  private final ShortestTtftConfig config;
  private final PrefixForest forest;
  private final ConcurrentHashMap<String, WorkerLedger> ledgers = new ConcurrentHashMap<>();
  // Keyed by the request object itself, by identity: every selection of one request (a retry, a
  // new choice after a worker refused it) shares it, so the latest replaces the earlier one; by
  // request id, two requests that share an id would take each other's work out of the ledger.
  private final ConcurrentHashMap<IdentityKey, Pending> pending = new ConcurrentHashMap<>();
  private final ListCache<Fleet> fleets = new ListCache<>(this::newFleet);
  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger sinceSweep = new AtomicInteger();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final long maxReportAge;
  private final long ledgerTimeoutNanos;

  /** Creates the strategy with {@link ShortestTtftConfig#defaults()}. */
  public ShortestTtftStrategy() {
    this(ShortestTtftConfig.defaults());
  }

  /**
   * Creates the strategy.
   *
   * @param config the settings
   */
  public ShortestTtftStrategy(ShortestTtftConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.forest = new PrefixForest(config.maxTreeSizePerWorker(), true);
    this.maxReportAge = saturatedNanos(config.maxReportAge());
    this.ledgerTimeoutNanos = saturatedNanos(config.ledgerTimeout());
  }

  private static long saturatedNanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return the settings */
  public ShortestTtftConfig config() {
    return config;
  }

  @Override
  public Choice select(RequestView request, List<WorkerView> candidates) {
    int n = candidates.size();
    Fleet fleet = fleets.get(candidates);
    PrefixKey key = PrefixKey.of(request);
    PrefixTree tree = null;
    PrefixTree.FleetIndex index = null;
    PrefixTree.Walk walk = null;
    if (key != null) {
      tree = forest.tree(request.model(), request.role(), key.tokenLevel());
      index = tree.index(candidates);
      walk = tree.match(key, PrefixTree.walk());
    }
    int[] evaluated = withinLoadBound(evaluated(n, walk, index), n, candidates);
    int m = evaluated.length;
    int[] matched = matchedLengths(n, evaluated, walk, index);
    int prompt = request.estimatedPromptTokens();
    int keyLength = key == null ? 1 : key.length();
    long now = config.ticker().getAsLong();
    double discount = config.cachedTokenDiscount();
    double[] work = new double[m];
    double[] prefill = new double[m];
    double[] ttft = new double[m];
    // Matched key elements to prompt tokens (characters to tokens for text), without a division
    // per candidate.
    double tokensPerElement = (double) prompt / keyLength;
    int bestAt = 0;
    for (int j = 0; j < m; j++) {
      int c = evaluated[j];
      double cached = Math.min(matched[j] * tokensPerElement, prompt - 1.0);
      work[j] = prompt - discount * Math.max(0, cached);
      prefill[j] = prompt - Math.max(0, cached);
      WorkerLedger ledger = fleet.ledgers[c];
      double spt = fleet.secondsPerToken[c];
      ttft[j] = queuedSeconds(candidates.get(c), ledger, now, spt) + work[j] * spt;
      if (ttft[j] < ttft[bestAt]) {
        bestAt = j;
      }
    }
    int[] similar = similarToTheBest(ttft, bestAt);
    int pick = claimLeastRecentlySelected(similar, bestAt, evaluated, fleet);
    int chosen = evaluated[pick];
    commit(
        request,
        candidates.get(chosen).id(),
        fleet.ledgers[chosen],
        prefill[pick],
        fleet.secondsPerToken[chosen],
        now);
    if (tree != null && walk != null && index != null) {
      tree.insert(walk, index.tenant(chosen), tree.tick(), index);
    }
    if (sinceSweep.incrementAndGet() >= SWEEP_INTERVAL) {
      sweep(now);
    }
    return Choice.of(candidates.get(chosen));
  }

  /** The candidates to estimate: all up to the scan limit, else a sample plus the best holders. */
  private int[] evaluated(
      int n, PrefixTree.@Nullable Walk walk, PrefixTree.@Nullable FleetIndex index) {
    if (n <= config.exactScanLimit()) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int sample = Math.min(config.sampleSize(), n);
    int[] out = new int[sample + MAX_HOLDERS_SAMPLED];
    int m = 0;
    if (walk != null && index != null) {
      for (int i = walk.size() - 1; i >= 0 && m < MAX_HOLDERS_SAMPLED; i--) {
        PrefixTree.TenantSet holders = walk.holders(i);
        int h = holders.size();
        int start = h <= 1 ? 0 : random.nextInt(h);
        int tries = Math.min(h, 4 * MAX_HOLDERS_SAMPLED);
        for (int k = 0; k < tries && m < MAX_HOLDERS_SAMPLED; k++) {
          int at = start + k;
          int c = index.candidate(holders.tenantAt(at < h ? at : at - h));
          if (c >= 0 && !contains(out, m, c)) {
            out[m++] = c;
          }
        }
      }
    }
    for (int k = 0; k < sample; k++) {
      int c = random.nextInt(n);
      if (!contains(out, m, c)) {
        out[m++] = c;
      }
    }
    return Arrays.copyOf(out, m);
  }

  /**
   * The evaluated candidates whose in-flight requests are below the load bound, {@code
   * ceil(loadFactor * (total + 1) / n)}; all of them when none is. Above the scan limit the total
   * is estimated from the evaluated candidates' mean.
   */
  private int[] withinLoadBound(int[] evaluated, int n, List<WorkerView> candidates) {
    double factor = config.loadFactor();
    int m = evaluated.length;
    if (m <= 1 || factor == Double.POSITIVE_INFINITY) {
      return evaluated;
    }
    int[] load = new int[m];
    long sum = 0;
    for (int j = 0; j < m; j++) {
      load[j] = candidates.get(evaluated[j]).inFlightRequests();
      sum += load[j];
    }
    double total = m == n ? sum : (double) sum * n / m;
    double bound = Math.ceil(factor * (total + 1) / n);
    int kept = 0;
    int[] within = new int[m];
    for (int j = 0; j < m; j++) {
      if (load[j] < bound) {
        within[kept++] = evaluated[j];
      }
    }
    if (kept == m || kept == 0) {
      return evaluated;
    }
    return Arrays.copyOf(within, kept);
  }

  private static boolean contains(int[] a, int length, int value) {
    for (int i = 0; i < length; i++) {
      if (a[i] == value) {
        return true;
      }
    }
    return false;
  }

  private static boolean inListOrder(int[] evaluated) {
    for (int j = 0; j < evaluated.length; j++) {
      if (evaluated[j] != j) {
        return false;
      }
    }
    return true;
  }

  /** The cached prefix length of each evaluated candidate, from the deepest node it holds. */
  private static int[] matchedLengths(
      int n, int[] evaluated, PrefixTree.@Nullable Walk walk,
      PrefixTree.@Nullable FleetIndex index) {
    int m = evaluated.length;
    int[] matched = new int[m];
    if (walk == null || index == null || walk.size() == 0) {
      return matched;
    }
    if (m == n && inListOrder(evaluated)) {
      // Every candidate is evaluated in list order: assign from the deepest node up. (A sample
      // above the scan limit can cover every candidate too, in another order.)
      int assigned = 0;
      for (int i = walk.size() - 1; i >= 0 && assigned < n; i--) {
        PrefixTree.TenantSet holders = walk.holders(i);
        int end = walk.end(i);
        for (int k = 0, h = holders.size(); k < h; k++) {
          int c = index.candidate(holders.tenantAt(k));
          if (c >= 0 && matched[c] == 0) {
            matched[c] = end;
            assigned++;
          }
        }
      }
      return matched;
    }
    // From the deepest node up; a worker that holds a node holds its ancestors too (inserts stamp
    // whole paths, trimming removes from the leaves up), so the first node found holding it is
    // its deepest. Deep nodes have few holders: compare them with the sampled workers directly.
    // Shallow nodes have many: look each unassigned sampled worker up in them (O(1) once a node
    // is held by many workers).
    int[] tenants = new int[m];
    for (int j = 0; j < m; j++) {
      tenants[j] = index.tenant(evaluated[j]).index();
    }
    int left = m;
    long[] byTenant = null;
    for (int i = walk.size() - 1; i >= 0 && left > 0; i--) {
      PrefixTree.TenantSet holders = walk.holders(i);
      int end = walk.end(i);
      int h = holders.size();
      if (h <= FEW_HOLDERS) {
        for (int k = 0; k < h; k++) {
          int t = holders.tenantAt(k);
          for (int j = 0; j < m; j++) {
            if (tenants[j] == t && matched[j] == 0) {
              matched[j] = end;
              left--;
            }
          }
        }
      } else if (holders.sorted()) {
        // Both sides in tenant order: one merge instead of a search per sampled worker.
        if (byTenant == null) {
          byTenant = new long[m];
          for (int j = 0; j < m; j++) {
            byTenant[j] = ((long) tenants[j] << 32) | j;
          }
          Arrays.sort(byTenant);
        }
        int k = 0;
        for (int q = 0; q < m && k < h; q++) {
          int t = (int) (byTenant[q] >>> 32);
          while (k < h && holders.tenantAt(k) < t) {
            k++;
          }
          int j = (int) byTenant[q];
          if (k < h && holders.tenantAt(k) == t && matched[j] == 0) {
            matched[j] = end;
            left--;
          }
        }
      } else {
        for (int j = 0; j < m; j++) {
          if (matched[j] == 0 && holders.find(tenants[j]) >= 0) {
            matched[j] = end;
            left--;
          }
        }
      }
    }
    return matched;
  }

  /**
   * The time, in seconds, the prefills queued on a worker still need at {@code now}: the virtual
   * queue, corrected by a fresh reported load (see the class rule).
   */
  private double queuedSeconds(
      WorkerView worker, WorkerLedger ledger, long now, double secondsPerToken) {
    double own = ledger.queuedNanos(now) * 1e-9;
    WorkerLoad load = worker.reportedLoad();
    if (load == null || now - load.reportedAtNanos() > maxReportAge) {
      return own;
    }
    if (ledger.lastReport != load) {
      // First sight of this report: what is sent from now on is not in it. Two threads may both
      // take the snapshot; either value is a moment apart, which the estimate tolerates.
      ledger.sentAtReport = ledger.sentMilli();
      ledger.lastReport = load;
    }
    double sentSince = Math.max(0, ledger.sentMilli() - ledger.sentAtReport) * 0.001;
    double waiting = load.waitingRequests() * ledger.meanWork(config.defaultRequestTokens());
    return waiting * secondsPerToken + Math.min(own, sentSince * secondsPerToken);
  }

  /**
   * The positions of the pool's members (the best {@code poolRatio} of the estimates, at least
   * one) within the similarity band of the best, {@code max(best * similarityRatio,
   * stddev(pool) / 2)}; the best first. O(m): the pool's bound is found by selection, not sorting.
   */
  private int[] similarToTheBest(double[] ttft, int bestAt) {
    int m = ttft.length;
    int poolSize = Math.max(1, (int) (m * config.poolRatio()));
    if (poolSize == 1) {
      return new int[] {bestAt};
    }
    double bound =
        poolSize >= m ? Double.POSITIVE_INFINITY : Selection.kthSmallest(ttft.clone(), poolSize - 1);
    int[] pool = new int[poolSize];
    pool[0] = bestAt;
    int size = 1;
    double sum = ttft[bestAt];
    double sumSq = sum * sum;
    for (int j = 0; j < m && size < poolSize; j++) {
      if (j != bestAt && ttft[j] <= bound) {
        pool[size++] = j;
        sum += ttft[j];
        sumSq += ttft[j] * ttft[j];
      }
    }
    double mean = sum / size;
    double stddev = Math.sqrt(Math.max(0, sumSq / size - mean * mean));
    double best = ttft[bestAt];
    double band = Math.max(best * config.similarityRatio(), stddev / 2);
    int similar = 1;
    for (int k = 1; k < size; k++) {
      if (ttft[pool[k]] - best <= band) {
        pool[similar++] = pool[k];
      }
    }
    return similar == size ? pool : Arrays.copyOf(pool, similar);
  }

  /**
   * Claims the least recently selected of the similar candidates with a compare-and-set on its
   * stamp; when another thread claimed it first, the next least recently selected, and so on.
   * Returns its position among the evaluated candidates; the best one when every claim fails.
   */
  private int claimLeastRecentlySelected(int[] similar, int bestAt, int[] evaluated, Fleet fleet) {
    long stamp = clock.incrementAndGet();
    int s = similar.length;
    if (s == 1) {
      fleet.ledgers[evaluated[bestAt]].setLastSelected(stamp);
      return bestAt;
    }
    long[] observed = new long[s];
    for (int k = 0; k < s; k++) {
      observed[k] = fleet.ledgers[evaluated[similar[k]]].lastSelected();
    }
    for (int attempt = 0; attempt < s; attempt++) {
      int oldest = -1;
      for (int k = 0; k < s; k++) {
        if (observed[k] != Long.MAX_VALUE && (oldest < 0 || observed[k] < observed[oldest])) {
          oldest = k;
        }
      }
      int j = similar[oldest];
      if (fleet.ledgers[evaluated[j]].claim(observed[oldest], stamp)) {
        return j;
      }
      observed[oldest] = Long.MAX_VALUE; // claimed by a concurrent request: try the next one
    }
    return bestAt;
  }

  private void commit(
      RequestView request,
      String workerId,
      WorkerLedger ledger,
      double prefill,
      double secondsPerToken,
      long now) {
    long prefillNanos = (long) Math.min(Long.MAX_VALUE / 4.0, prefill * secondsPerToken * 1e9);
    long prefillEnd = ledger.enqueue(now, prefillNanos, (long) (prefill * 1000));
    Pending old =
        pending.put(
            new IdentityKey(request.request()),
            new Pending(workerId, ledger, prefillNanos, prefillEnd, now));
    if (old != null) {
      // The same request routed again (a retry, or a new choice after the chosen worker refused
      // it): the earlier choice leaves its queue.
      old.leave(now);
    }
  }

  @Override
  public void onComplete(RequestFeedback feedback) {
    IdentityKey id = new IdentityKey(feedback.request().request());
    Pending p = pending.get(id);
    // Only the attempt that is in the ledger leaves it: a late report of an earlier attempt of the
    // same request (on another worker) must not remove the work of the current one.
    if (p != null && p.workerId.equals(feedback.worker().id()) && pending.remove(id, p)) {
      p.leave(config.ticker().getAsLong());
    }
  }

  private void sweep(long now) {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    try {
      sinceSweep.set(0);
      pending.forEach(
          (id, p) -> {
            if (now - p.startNanos > ledgerTimeoutNanos && pending.remove(id, p)) {
              p.leave(now);
            }
          });
    } finally {
      sweeping.set(false);
    }
  }

  /**
   * Forgets the worker's ledger and its prefixes. Requests still running on it leave the ledger
   * entry they hold as they end or time out.
   */
  @Override
  public void onWorkerRemoved(Worker worker) {
    ledgers.remove(worker.id());
    forest.forget(worker.id());
  }

  /**
   * The prefill work, in prompt tokens at the worker's prefill rate, that this strategy estimates
   * is still queued on a worker now (the virtual queue, before any correction by reported load).
   *
   * @param workerId the worker id
   * @return the work, 0 for a worker never selected or whose queue has drained
   */
  public double queuedWork(String workerId) {
    WorkerLedger l = ledgers.get(workerId);
    return l == null ? 0 : l.queuedNanos(config.ticker().getAsLong()) * 1e-9 / l.secondsPerToken;
  }

  /**
   * The number of requests in the ledger, all workers together.
   *
   * @return the count
   */
  public int pendingRequests() {
    return pending.size();
  }

  private Fleet newFleet(List<WorkerView> candidates) {
    int n = candidates.size();
    WorkerLedger[] l = new WorkerLedger[n];
    double[] secondsPerToken = new double[n];
    for (int i = 0; i < n; i++) {
      WorkerView w = candidates.get(i);
      l[i] = ledgers.computeIfAbsent(w.id(), id -> new WorkerLedger());
      double rate = config.prefillRate().applyAsDouble(w.worker());
      secondsPerToken[i] =
          1.0
              / (rate > 0 && !Double.isInfinite(rate)
                  ? rate
                  : ShortestTtftConfig.DEFAULT_PREFILL_TOKENS_PER_SECOND);
      l[i].secondsPerToken = secondsPerToken[i];
    }
    return new Fleet(l, secondsPerToken);
  }

  @Override
  public String toString() {
    return "ShortestTtftStrategy{" + config + "}";
  }

  /** The ledgers and inverse prefill rates of one candidate list, by position. Immutable. */
  private static final class Fleet {
    final WorkerLedger[] ledgers;
    final double[] secondsPerToken;

    Fleet(WorkerLedger[] ledgers, double[] secondsPerToken) {
      this.ledgers = ledgers;
      this.secondsPerToken = secondsPerToken;
    }
  }

  /** One worker's virtual prefill queue, totals and selection stamp. Thread-safe. */
  private static final class WorkerLedger {
    private static final VarHandle QUEUE_END;
    private static final VarHandle SENT;
    private static final VarHandle SENT_COUNT;
    private static final VarHandle LAST_SELECTED;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        QUEUE_END = lookup.findVarHandle(WorkerLedger.class, "queueEnd", long.class);
        SENT = lookup.findVarHandle(WorkerLedger.class, "sentMilli", long.class);
        SENT_COUNT = lookup.findVarHandle(WorkerLedger.class, "sentCount", long.class);
        LAST_SELECTED = lookup.findVarHandle(WorkerLedger.class, "lastSelected", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    // Plain fields changed through the handles above: one object per worker, so reading a
    // worker's ledger is one memory access instead of one per counter.
    /** When, on the ticker, the prefills sent so far are estimated done; 0 before the first. */
    private volatile long queueEnd;
    /** Estimated prefill work of every request sent, in thousandths of a token. */
    private volatile long sentMilli;
    /** Requests sent, for the mean prefill of the requests a worker reports waiting. */
    private volatile long sentCount;
    private volatile long lastSelected;
    volatile @Nullable WorkerLoad lastReport;
    volatile long sentAtReport;
    volatile double secondsPerToken = 1.0 / ShortestTtftConfig.DEFAULT_PREFILL_TOKENS_PER_SECOND;

    /** The queued prefill time at {@code now}, in nanoseconds; 0 once the queue has drained. */
    long queuedNanos(long now) {
      long end = (long) QUEUE_END.getVolatile(this);
      return end == 0 ? 0 : Math.max(0, end - now);
    }

    /**
     * Appends a prefill of {@code prefillNanos} at {@code now} and counts its work; returns when
     * it is estimated done.
     */
    long enqueue(long now, long prefillNanos, long workMilli) {
      SENT.getAndAdd(this, workMilli);
      SENT_COUNT.getAndAdd(this, 1L);
      while (true) {
        long end = (long) QUEUE_END.getVolatile(this);
        long start = end == 0 || end - now < 0 ? now : end;
        long next = start + prefillNanos;
        if (next == 0) {
          next = 1; // 0 means "never used"
        }
        if (QUEUE_END.compareAndSet(this, end, next)) {
          return next;
        }
      }
    }

    /** Takes up to {@code nanos} of not yet elapsed prefill time out of the queue. */
    void dequeue(long now, long nanos) {
      while (true) {
        long end = (long) QUEUE_END.getVolatile(this);
        if (end == 0 || end - now <= 0) {
          return;
        }
        long next = end - Math.min(nanos, end - now);
        if (next == 0) {
          next = 1;
        }
        if (QUEUE_END.compareAndSet(this, end, next)) {
          return;
        }
      }
    }

    long sentMilli() {
      return (long) SENT.getVolatile(this);
    }

    /** The mean estimated prefill work of the requests sent, or {@code fallback} before any. */
    double meanWork(int fallback) {
      long count = (long) SENT_COUNT.getVolatile(this);
      return count > 0 ? sentMilli() * 0.001 / count : fallback;
    }

    long lastSelected() {
      return (long) LAST_SELECTED.getVolatile(this);
    }

    void setLastSelected(long stamp) {
      LAST_SELECTED.setVolatile(this, stamp);
    }

    boolean claim(long observed, long stamp) {
      return LAST_SELECTED.compareAndSet(this, observed, stamp);
    }
  }

  /** A routed request's entry in the ledger. Immutable. */
  private static final class Pending {
    final String workerId;
    final WorkerLedger ledger;
    final long prefillNanos;
    final long prefillEnd;
    final long startNanos;

    Pending(
        String workerId, WorkerLedger ledger, long prefillNanos, long prefillEnd, long startNanos) {
      this.workerId = workerId;
      this.ledger = ledger;
      this.prefillNanos = prefillNanos;
      this.prefillEnd = prefillEnd;
      this.startNanos = startNanos;
    }

    /**
     * Leaves the queue at {@code now}: the part of this request's prefill that is not yet estimated
     * done (all of it if it had not started, none once it is done) is taken out of the queue.
     */
    void leave(long now) {
      long remaining = prefillEnd - now;
      if (remaining > 0) {
        ledger.dequeue(now, Math.min(remaining, prefillNanos));
      }
    }
  }
}
