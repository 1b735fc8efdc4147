package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.AdmissionPolicy;
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
import io.flexroute.radix.RadixTokenCache;
import io.flexroute.radix.RolloutClient;
import io.flexroute.radix.RolloutRequest;
import io.flexroute.radix.RolloutResult;
import io.flexroute.radix.TrainingSample;
import io.flexroute.spi.Tokenizer;
import io.flexroute.testkit.ToyTokenizer;
import io.flexroute.testkit.worker.FakeWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The snippet of docs/rl.md: a training loop against fake SGLang workers. */
class RlSnippets {

  private static final Logger log = LoggerFactory.getLogger(RlSnippets.class);

  private final ToyTokenizer tokenizer = new ToyTokenizer();
  private final List<FakeWorker> fakes = new ArrayList<>();
  private final List<Worker> sglangWorkers = new ArrayList<>();
  private final List<Integer> trainedSamples = new ArrayList<>();

  @BeforeEach
  void start() {
    for (int i = 0; i < 2; i++) {
      FakeWorker fake = FakeWorker.builder().tokenizer(tokenizer).weightVersion("1").start();
      fakes.add(fake);
      sglangWorkers.add(Worker.builder("w" + i, fake.baseUrl()).flavor(ApiFlavor.SGLANG).build());
    }
  }

  @AfterEach
  void stop() {
    fakes.forEach(FakeWorker::close);
  }

  @Test
  void trainingLoop() throws Exception {
    int steps = 3;
    Tokenizer tokenizer = this.tokenizer;
    // tag::training-loop[]
    Router router = Router.builder().workers(sglangWorkers).strategy("session_affinity")
        .admission(AdmissionPolicy.builder().queue(1024, Duration.ofMinutes(5)).build())
        .build();
    RadixTokenCache cache = RadixTokenCache.builder().maxCachedTokens(50_000_000).keepVersions(1).build();
    RolloutClient rollouts = RolloutClient.builder(router, cache, tokenizer)
        .gcOnWeightVersionBump(true)
        .build();
    Fleet fleet = router.fleet();
    fleet.readWeightVersions(Broadcast.all()).orThrow();

    for (int step = 1; step <= steps; step++) {
      String version = String.valueOf(step);
      List<RolloutResult> batch = runTrajectories(rollouts, version);   // minWeightVersion(version)
      int current = step;
      List<TrainingSample> samples = batch.stream()
          .map(r -> r.trainingSample(firstPromptTokens(r)))
          .filter(s -> s.isOnPolicy(current))
          .toList();
      String next = train(samples);                                      // writes /ckpt/step-(step+1)
      FleetResult<ControlAck> r = fleet.updateWeightsFromDisk(
          UpdateWeightsFromDisk.builder(next).weightVersion(String.valueOf(step + 1)).build(),
          Broadcast.rolling(WorkerSelector.all()));
      r.failures().forEach(f -> log.warn("{} stays on its old weights: {}", f.workerId(), f.cause()));
    }
    // end::training-loop[]
    rollouts.close();
    router.close();
    // Every step trained on samples generated entirely by that step's weights.
    assertThat(trainedSamples).containsExactly(4, 4, 4);
    assertThat(fakes).allSatisfy(f -> assertThat(f.weightVersion()).isEqualTo("4"));
  }

  /** Four one-turn trajectories that must run on weights of at least {@code version}. */
  private static List<RolloutResult> runTrajectories(RolloutClient rollouts, String version) {
    List<RolloutResult> out = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      out.add(rollouts.rollout(
          RolloutRequest.builder("<|im_start|>user\nTask " + t + "<|im_end|>\n<|im_start|>assistant\n")
              .sessionId("traj-" + t)
              .minWeightVersion(version)
              .sampling(SamplingParams.builder().maxNewTokens(8).build())
              .build()));
    }
    return out;
  }

  private static int firstPromptTokens(RolloutResult r) {
    return r.promptTokenCount();
  }

  /** Stands in for a training step: counts the samples and names the next checkpoint. */
  private String train(List<TrainingSample> samples) {
    trainedSamples.add(samples.size());
    return "/ckpt/step-" + (trainedSamples.size() + 1);
  }
}
