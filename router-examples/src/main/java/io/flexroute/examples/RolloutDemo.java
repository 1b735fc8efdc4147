package io.flexroute.examples;

import io.flexroute.ApiFlavor;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.Worker;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.Fleet;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.WorkerSelector;
import io.flexroute.radix.CacheStats;
import io.flexroute.radix.PrefixMatch;
import io.flexroute.radix.RadixTokenCache;
import io.flexroute.radix.RolloutClient;
import io.flexroute.radix.RolloutRequest;
import io.flexroute.radix.RolloutResult;
import io.flexroute.radix.TrainingSample;
import io.flexroute.radix.WeightVersionMapper;
import io.flexroute.spi.Tokenizer;
import io.flexroute.testkit.ToyTokenizer;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.transport.http.WorkerTokenizer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The RL rollout demo: a simulated training loop (generate, update weights, generate, update
 * weights) of multi-turn agent trajectories through {@link RolloutClient} and the router's {@link
 * Fleet}, printing how much the radix cache saved and which weight versions the tokens carry.
 *
 * <p>It starts in-process fake SGLang workers on loopback, routes with {@code session_affinity} so
 * every trajectory stays on one worker, and runs the trajectories concurrently. Each turn sends the
 * whole conversation text; the client re-uses the cached tokens of earlier turns and tokenises only
 * the tool result appended since.
 *
 * <ol>
 *   <li>Generate: every trajectory runs its first half of turns at weight version 1.
 *   <li>Update: the trainer pushes version 2 with a rolling {@code updateWeightsFromDisk}, one
 *       worker at a time, each out of rotation until it reports the new version. A generation that
 *       was running when the weights changed comes back aborted (SGLang's {@code
 *       abort_all_requests}); the demo injects one such abort per worker so the retry path always
 *       runs, and the client retries it.
 *   <li>Generate: the long trajectories go on, requiring version 2 ({@code minWeightVersion}).
 *   <li>Update: version 3. The rollout client collects the cache on the version bump (keeping one
 *       older version), which drops the trajectories only version 1 touched.
 * </ol>
 *
 * <p>At the end every trajectory becomes a training sample; the summary counts its trained tokens
 * and how many of them came from weights older than version 2, the filter a trainer applies to
 * off-policy data.
 *
 * <pre>
 * Options:
 *   --trajectories N   trajectories in the batch (default 16; half short, half long)
 *   --turns N          turns of a long trajectory (default 6; short ones stop halfway)
 *   --workers N        fake workers (default 3)
 *   --tokenizer KIND   toy (the workers' tokenizer, in process; default) or worker (each
 *                      worker's /tokenize and /detokenize over HTTP)
 * </pre>
 *
 * <p>Run it with {@code ./mvnw -B -q -pl router-examples -am -DskipTests package exec:java
 * -Dexec.mainClass=io.flexroute.examples.RolloutDemo}.
 */
public final class RolloutDemo {

  private static final String SYSTEM =
      "<|im_start|>system\nYou are a tool-using agent. Call tools, read their results, then"
          + " answer.<|im_end|>\n";

  private RolloutDemo() {}

  /**
   * Runs the demo.
   *
   * @param args the options described in the class documentation
   * @throws Exception if the workload cannot run
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    run(Options.parse(args), System.out);
  }

  /** What the run measured; the test checks it. */
  record Summary(
      int turns,
      int attempts,
      long reusedTokens,
      long tokenisedTokens,
      long generatedTokens,
      long maskOnes,
      long maskZeros,
      Map<Integer, Long> tokensByVersion,
      int sessionsThatMoved,
      double hitRate,
      long gcRemovedTokens,
      boolean consistent,
      List<FleetResult<ControlAck>> updates,
      Map<String, String> fleetVersions,
      long trainedTokens,
      long offPolicyTrainedTokens,
      int onPolicySamples) {}

  /** One trajectory: its session, conversation text and turns. */
  private static final class Trajectory {
    final int index;
    final String session;
    final int turns;
    final List<RolloutResult> results = new ArrayList<>();
    final Set<String> workers = new LinkedHashSet<>();
    String text;

    Trajectory(int index, int turns) {
      this.index = index;
      this.session = "traj-" + index;
      this.turns = turns;
      this.text =
          SYSTEM + "<|im_start|>user\nTask " + index + ": find the least loaded replica among "
              + (3 + index % 4) + " and report its queue.<|im_end|>\n<|im_start|>assistant\n";
    }

    RolloutResult last() {
      return results.get(results.size() - 1);
    }
  }

  static Summary run(Options options, PrintStream out) throws Exception {
    ToyTokenizer shared = new ToyTokenizer();
    List<FakeWorker> fakes = new ArrayList<>();
    List<AutoCloseable> closeables = new ArrayList<>();
    try {
      List<Worker> workers = new ArrayList<>();
      for (int i = 0; i < options.workers; i++) {
        FakeWorker fake =
            FakeWorker.builder().model("demo-model").tokenizer(shared).weightVersion("1").start();
        fakes.add(fake);
        workers.add(
            Worker.builder("fake-" + i, fake.baseUrl())
                .flavor(ApiFlavor.SGLANG)
                .model("demo-model")
                .build());
      }
      Tokenizer tokenizer = shared;
      if (options.workerTokenizer) {
        WorkerTokenizer remote = WorkerTokenizer.of(workers.get(0));
        closeables.add(remote);
        tokenizer = remote;
      }
      // Keep one version below the newest: a bump to version 3 drops what only version 1 touched.
      RadixTokenCache cache =
          RadixTokenCache.builder().maxCachedTokens(2_000_000).keepVersions(1).build();
      WeightVersionMapper versions = WeightVersionMapper.standard();
      try (Router router =
              Router.builder()
                  .workers(workers)
                  .strategy("session_affinity")
                  .defaultTimeout(Duration.ofSeconds(30))
                  .build();
          RolloutClient rollouts =
              RolloutClient.builder(router, cache, tokenizer)
                  .weightVersionMapper(versions)
                  .abortBackoff(Duration.ofMillis(20))
                  .gcOnWeightVersionBump(true)
                  .build()) {
        Fleet fleet = router.fleet();
        fleet.readWeightVersions(Broadcast.all()).orThrow();
        List<Trajectory> batch = new ArrayList<>();
        int half = Math.max(1, options.turns / 2);
        for (int i = 0; i < options.trajectories; i++) {
          batch.add(new Trajectory(i, i % 2 == 0 ? half : options.turns));
        }
        List<FleetResult<ControlAck>> updates = new ArrayList<>();

        // Generate: every trajectory runs its first turns at weight version 1.
        awaitAll(batch, t -> runTurns(rollouts, t, 0, half, null));
        // Update: the trainer pushes version 2, one worker at a time.
        updates.add(
            fleet.updateWeightsFromDisk(checkpoint(2), Broadcast.rolling(WorkerSelector.all())));
        // A generation caught by the update comes back aborted; one per worker, deterministically.
        for (FakeWorker fake : fakes) {
          fake.enqueue(Fault.abortFinish("weight update in progress"));
        }
        // Generate: the long trajectories go on, on version 2 only.
        awaitAll(batch, t -> runTurns(rollouts, t, half, t.turns, "2"));
        // Update: version 3; the rollout client collects the cache on the bump.
        CacheStats before = cache.stats();
        updates.add(
            fleet.updateWeightsFromDisk(checkpoint(3), Broadcast.rolling(WorkerSelector.all())));
        CacheStats after = cache.stats();
        long removed = before.cachedTokens() - after.cachedTokens();
        return summarise(
            batch, before, after, removed, options, out, cache, updates,
            fleet.knownWeightVersions(), versions.toInt("2"));
      }
    } finally {
      for (AutoCloseable c : closeables) {
        c.close();
      }
      for (FakeWorker fake : fakes) {
        fake.close();
      }
    }
  }

  /** The trainer's checkpoint after a step, labelled with the step as its weight version. */
  private static UpdateWeightsFromDisk checkpoint(int step) {
    return UpdateWeightsFromDisk.builder("/checkpoints/demo-model/step-" + step)
        .weightVersion(String.valueOf(step))
        .build();
  }

  private static CompletableFuture<Void> runTurns(
      RolloutClient rollouts, Trajectory t, int from, int to, @Nullable String minVersion) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int turn = from; turn < to; turn++) {
      int n = turn;
      chain =
          chain.thenCompose(
              ignored ->
                  rollouts
                      .rolloutAsync(
                          RolloutRequest.builder(t.text)
                              .sessionId(t.session)
                              .model("demo-model")
                              .minWeightVersion(minVersion)
                              .sampling(
                                  SamplingParams.builder()
                                      .maxNewTokens(16 + (t.index + n) % 17)
                                      .temperature(1.0)
                                      .seed(1000L * t.index + n)
                                      .build())
                              .build())
                      .thenAccept(
                          r -> {
                            synchronized (t) {
                              t.results.add(r);
                              t.workers.add(r.workerId());
                              t.text = r.fullText() + toolResult(t.index, n);
                            }
                          }));
    }
    return chain;
  }

  /** The tool call result appended after a turn, as text: the agent environment's answer. */
  private static String toolResult(int trajectory, int turn) {
    double load = ((trajectory * 37 + turn * 11) % 100) / 100.0;
    return "<|im_end|>\n<|im_start|>tool\n<tool_response>{\"replica\": " + (trajectory % 4)
        + ", \"queue\": " + (turn * 3 + trajectory % 5) + ", \"load\": "
        + String.format(Locale.ROOT, "%.2f", load) + "}</tool_response><|im_end|>\n"
        + "<|im_start|>assistant\n";
  }

  private interface TurnRunner {
    CompletableFuture<Void> run(Trajectory t);
  }

  private static void awaitAll(List<Trajectory> batch, TurnRunner runner) throws Exception {
    CompletableFuture<?>[] all = new CompletableFuture<?>[batch.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = runner.run(batch.get(i));
    }
    CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
  }

  private static Summary summarise(
      List<Trajectory> batch,
      CacheStats before,
      CacheStats after,
      long removed,
      Options options,
      PrintStream out,
      RadixTokenCache cache,
      List<FleetResult<ControlAck>> updates,
      Map<String, String> fleetVersions,
      int onPolicyVersion) {
    int turns = 0;
    int attempts = 0;
    long reused = 0;
    long tokenised = 0;
    long generated = 0;
    long ones = 0;
    long zeros = 0;
    int moved = 0;
    boolean consistent = true;
    Map<Integer, Long> byVersion = new TreeMap<>();
    long trained = 0;
    long offPolicy = 0;
    int onPolicySamples = 0;
    for (Trajectory t : batch) {
      for (RolloutResult r : t.results) {
        turns++;
        attempts += r.attempts();
        reused += r.cachedTokenCount();
        tokenised += r.tokenizedTokenCount();
        generated += r.outputTokenCount();
      }
      if (t.workers.size() > 1) {
        moved++;
      }
      RolloutResult last = t.last();
      TrainingSample sample = last.trainingSample(t.results.get(0).promptTokenCount());
      trained += sample.trainedTokenCount();
      offPolicy += sample.offPolicyTokenCount(onPolicyVersion);
      if (sample.isOnPolicy(onPolicyVersion)) {
        onPolicySamples++;
      }
      for (int m : last.lossMask()) {
        if (m == 1) {
          ones++;
        } else {
          zeros++;
        }
      }
      for (int v : last.weightVersions()) {
        byVersion.merge(v, 1L, Long::sum);
      }
      if (t.turns == options.turns) {
        // Long trajectories survive the GC: the cache still holds exactly their tokens.
        PrefixMatch m = cache.lookup(last.fullText());
        consistent &=
            m.remainingText().isEmpty()
                && Arrays.equals(m.tokenIds(), last.tokenIds())
                && Arrays.equals(m.lossMask(), last.lossMask())
                && Arrays.equals(m.weightVersions(), last.weightVersions());
      }
    }
    int shortTurns = Math.max(1, options.turns / 2);
    out.printf(
        Locale.ROOT,
        "FlexRoute RL rollout demo: %d trajectories (%d of %d turns, %d of %d turns) on %d fake"
            + " workers, strategy session_affinity, tokenizer %s%n%n",
        batch.size(), (batch.size() + 1) / 2, shortTurns, batch.size() / 2, options.turns,
        options.workers, options.workerTokenizer ? "worker /tokenize" : "toy (in process)");
    row(out, "turns", String.valueOf(turns));
    row(out, "generation attempts",
        attempts + " (" + (attempts - turns) + " aborted by the weight update and retried)");
    row(out, "cache hit rate",
        String.format(Locale.ROOT, "%.1f %% of %d lookups", before.hitRate() * 100,
            before.requestCount()));
    row(out, "tokens reused from cache", String.format(Locale.ROOT, "%,d", reused));
    row(out, "tokens tokenised", String.format(Locale.ROOT, "%,d", tokenised));
    row(out, "tokens generated", String.format(Locale.ROOT, "%,d", generated));
    row(out, "loss mask (final trajectories)",
        String.format(Locale.ROOT, "%,d tokens 1 (generated), %,d tokens 0 (prompt, tools)",
            ones, zeros));
    StringBuilder versions = new StringBuilder();
    for (Map.Entry<Integer, Long> e : byVersion.entrySet()) {
      if (versions.length() > 0) {
        versions.append(", ");
      }
      versions.append(e.getKey() == RadixTokenCache.NO_VERSION ? "none" : "v" + e.getKey())
          .append(": ")
          .append(String.format(Locale.ROOT, "%,d", e.getValue()));
    }
    row(out, "weight versions (final tokens)", versions.toString());
    row(out, "trained tokens older than v" + onPolicyVersion,
        String.format(Locale.ROOT, "%,d of %,d (%d of %d samples fully on-policy)", offPolicy,
            trained, onPolicySamples, batch.size()));
    row(out, "sessions that changed worker", String.valueOf(moved));
    for (FleetResult<ControlAck> u : updates) {
      String version = u.successes().isEmpty() ? "?" : u.successes().get(0).value().weightVersion();
      row(out, "weight update to v" + version,
          String.format(Locale.ROOT, "%d of %d workers updated (rolling), %d failed, %d ms",
              u.successes().size(), u.workerIds().size(), u.failures().size(),
              u.duration().toMillis()));
    }
    row(out, "fleet weight versions", fleetVersions.toString());
    row(out, "cache before the v3 bump",
        String.format(Locale.ROOT, "%,d tokens in %,d nodes, %.1f bytes/token",
            before.cachedTokens(), before.nodeCount(), before.bytesPerCachedToken()));
    row(out, "GC on bump to v3, keep 1",
        String.format(Locale.ROOT, "removed %,d tokens (trajectories only version 1 touched);"
            + " %,d tokens left", removed, after.cachedTokens()));
    row(out, "long trajectories still cached", consistent ? "yes, token for token" : "NO");
    return new Summary(
        turns, attempts, reused, tokenised, generated, ones, zeros, byVersion, moved,
        before.hitRate(), removed, consistent, List.copyOf(updates), fleetVersions, trained,
        offPolicy, onPolicySamples);
  }

  private static void row(PrintStream out, String name, String value) {
    out.printf(Locale.ROOT, "  %-32s %s%n", name, value);
  }

  /** Command-line options. */
  static final class Options {
    int trajectories = 16;
    int turns = 6;
    int workers = 3;
    boolean workerTokenizer;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        String value = args[++i];
        switch (name) {
          case "--trajectories" -> o.trajectories = positive(name, value);
          case "--turns" -> o.turns = positive(name, value);
          case "--workers" -> o.workers = positive(name, value);
          case "--tokenizer" -> {
            if (!value.equals("toy") && !value.equals("worker")) {
              throw new IllegalArgumentException(
                  "--tokenizer must be toy or worker, but was " + value);
            }
            o.workerTokenizer = value.equals("worker");
          }
          default -> throw new IllegalArgumentException("unknown option " + name);
        }
      }
      if (o.turns < 2) {
        throw new IllegalArgumentException("--turns must be >= 2, but was " + o.turns);
      }
      return o;
    }

    private static int positive(String name, String value) {
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a number, but was " + value);
      }
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, but was " + n);
      }
      return n;
    }
  }
}
